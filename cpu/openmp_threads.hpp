#pragma once
// How many OpenMP threads a call can really have. The OpenMP runtimes end the process when
// they cannot create a team's threads (libgomp: "Thread creation failed", exit(1); LLVM's
// libomp: abort), and libgomp's pool threads do not survive fork(): a child's first team
// waits for them forever. So before a team larger than any seen so far runs, tandem creates
// the extra threads itself (same stack size as the runtime's), where a failure is an error
// code, and caps the team at what could be created; and a fork()ed child runs on its calling
// thread.
#include "dispatch/backend_impl.hpp"

namespace tandem::detail {

/// The team for Options::threads = `requested` (0: the runtime's default, omp_get_max_threads):
/// capped at tandem::max_threads and the runtime's thread limit, at the threads that could be
/// created, and to 1 in a fork()ed child of a process that ran a team. Thread-safe; after the
/// first call for a size, an atomic load.
Team openmp_team(int requested) noexcept;

/// The default team without creating any thread (for backend_info): omp_get_max_threads()
/// capped as openmp_team caps it from what is already known.
int openmp_default_threads() noexcept;
/// The same as the parent process sees it: not 1 in a fork()ed child (the machine's key).
int openmp_machine_threads() noexcept;

/// The stack size the OpenMP runtime gives its threads: OMP_STACKSIZE, else GOMP_STACKSIZE
/// (libgomp's syntax: a number, optional B/K/M/G suffix, K by default), else pthreads' default.
/// 0 means pthreads' default.
std::size_t openmp_stack_size() noexcept;

/// Parses an OMP_STACKSIZE value as libgomp does; false for an invalid one (ignored there).
bool parse_omp_stacksize(const char* text, std::size_t* bytes) noexcept;

}  // namespace tandem::detail
