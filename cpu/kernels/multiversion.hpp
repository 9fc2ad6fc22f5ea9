#pragma once
// TANDEM_MULTIVERSION compiles a hot kernel for several x86-64 levels (AVX-512, AVX2+FMA,
// baseline) and picks one at load time (GNU ifunc), so a portable build still runs with the
// machine's widest vectors. `flatten` inlines the kernel's helpers into each clone.
// Elsewhere, or with TANDEM_NO_MULTIVERSION, kernels are compiled once for the target. Clang
// rejects target_clones together with flatten, and without flatten the helpers would stay
// baseline code, so clang builds (the sanitizer and fuzz presets) compile them once too.
#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(TANDEM_NO_MULTIVERSION)
#define TANDEM_MULTIVERSION \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), flatten))
#else
#define TANDEM_MULTIVERSION
#endif
