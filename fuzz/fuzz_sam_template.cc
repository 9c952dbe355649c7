// libFuzzer target: the SAM template loader (YAML, intrinsics, Globals, Parameters) on arbitrary text.
// CodeUri paths resolve under a directory that does not exist, so no file is read.

#include <cstddef>
#include <cstdint>
#include <string>

#include "emulator/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  lmcp::emulator::TemplateOptions options;
  (void)lmcp::emulator::LoadTemplateString(yaml, "/nonexistent-lmcp-fuzz", options);
  return 0;
}
