if(LMCP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(LMCP_TSAN)
  # -Wno-tsan: Asio uses std::atomic_thread_fence, which gcc warns TSan does not model; its uses are in
  # Asio's own executor bookkeeping, whose ordering comes from mutexes TSan does see.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()
# libFuzzer build (clang; `make asan-test`): every library and test gets fuzzer coverage instrumentation plus
# ASan+UBSan, so one build runs the tests under the sanitizers and fuzzes; the fuzz targets (fuzz/) add
# -fsanitize=fuzzer at link time.
if(LMCP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LMCP_FUZZ needs clang: CC=clang CXX=clang++ cmake -DLMCP_FUZZ=ON ...")
  endif()
  # -fno-sanitize=function: clang 14 cannot assemble its function-signature check in C++20 coroutines
  # ("Cannot represent a difference across sections", transport/http_listener.cc).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
