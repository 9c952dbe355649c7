# lmcp_warnings(target): strict warnings, as errors, for our own targets only.
function(lmcp_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers)
endfunction()
