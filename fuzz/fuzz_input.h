#pragma once
// FuzzInput: takes typed values off the front of a fuzzer's byte string (integers in a range, booleans,
// length-prefixed strings, the rest). Header-only so the targets build with clang (libFuzzer) and with gcc
// (the corpus replay tests). Not thread-safe; one per input.

#include <cstddef>
#include <cstdint>
#include <string>

namespace lmcp::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return size_ == 0; }

  uint8_t Byte() {
    if (size_ == 0) {
      return 0;
    }
    uint8_t b = *data_++;
    --size_;
    return b;
  }
  bool Bool() { return (Byte() & 1) != 0; }
  // Uniform enough in [lo, hi] for fuzzing; lo when the input is exhausted.
  int Int(int lo, int hi) {
    uint32_t v = static_cast<uint32_t>(Byte()) << 8 | Byte();
    return lo + static_cast<int>(v % static_cast<uint32_t>(hi - lo + 1));
  }
  // Up to `max` bytes, ending at a '\\' that is not doubled (libFuzzer's convention), or the input's end.
  std::string String(size_t max) {
    std::string out;
    while (size_ > 0 && out.size() < max) {
      char c = static_cast<char>(Byte());
      if (c == '\\') {
        if (size_ == 0 || *data_ != '\\') {
          break;
        }
        Byte();
      }
      out.push_back(c);
    }
    return out;
  }
  std::string Rest() {
    std::string out(reinterpret_cast<const char*>(data_), size_);
    data_ += size_;
    size_ = 0;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

}  // namespace lmcp::fuzz
