#pragma once
// What every tandem::dist call shares: the library's own duplicate of the user's communicator
// (MPI errors returned, not fatal), MPI datatypes, and the collective error protocol.
//
// Every call starts with one MPI_Allgather of a fixed-size Status from each rank: whether its
// local checks (and any local work done before communicating) failed, which call it is making
// (so ranks that disagree fail instead of hanging in mismatched collectives), and a few numbers
// the call needs from every rank (sizes, shapes, a local result). If any rank failed, the first
// failing rank's message is broadcast and every rank throws the same typed error. Later phases
// agree the same way (agree()).
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "tandem/error.hpp"

namespace tandem::dist::detail {

/// Which call a rank is making, with its dtype: ranks must agree on it.
enum class Op : std::int64_t { mse, mse2, sum, mean, min, max, matmul, sort, word_count, block };

/// Element type codes for the call signature (f32, f64, i32, i64; none for untyped calls).
template <class T>
constexpr std::int64_t dtype_code();
template <>
constexpr std::int64_t dtype_code<float>() {
  return 1;
}
template <>
constexpr std::int64_t dtype_code<double>() {
  return 2;
}
template <>
constexpr std::int64_t dtype_code<std::int32_t>() {
  return 3;
}
template <>
constexpr std::int64_t dtype_code<std::int64_t>() {
  return 4;
}
inline constexpr std::int64_t kNoDtype = 0;

template <class T>
MPI_Datatype mpi_type();

/// One rank's contribution to a call's opening exchange.
struct Status {
  std::int64_t error = 0;      // errc of the rank's local failure, 0 if none
  std::int64_t signature = 0;  // Op * 16 + dtype code
  std::int64_t v[4] = {};      // call-specific numbers (sizes, shapes, bits of a local result)
};

/// The library's view of a user communicator.
class Comm {
 public:
  /// Checks that MPI is initialised and `user` is a communicator; throws invalid_argument
  /// (locally: a rank with a bad communicator cannot reach the others).
  Comm(const char* fn, MPI_Comm user);

  MPI_Comm get() const noexcept { return comm_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  const char* fn() const noexcept { return fn_; }

  /// Throws tandem::device_error naming the MPI call when rc is not MPI_SUCCESS.
  void check(int rc, const char* call) const;

  /// The opening exchange: gathers every rank's Status (this rank's error from `local`, which
  /// may be null). Throws the same error on every rank when any rank failed or the ranks' calls
  /// differ; otherwise returns all statuses in rank order.
  std::vector<Status> open(Op op, std::int64_t dtype, const std::int64_t (&v)[4],
                           std::exception_ptr local) const;

  /// Agreement after a local phase: throws the first failing rank's error on every rank.
  void agree(std::exception_ptr local) const;

  /// Throws on every rank (call it only with data every rank has, so all throw alike).
  [[noreturn]] void fail_all(errc code, const std::string& message) const;

 private:
  [[noreturn]] void raise(int origin, std::int64_t code, const std::string& message) const;
  void broadcast_and_throw(int origin, std::int64_t code, std::exception_ptr local) const;

  const char* fn_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

/// Code and message of a caught exception (tandem errors keep theirs; bad_alloc is
/// out_of_memory; anything else a device_error with its what()).
std::pair<errc, std::string> describe(std::exception_ptr e);

/// Checks Options::threads like the core does; throws invalid_argument.
void check_threads(const char* fn, int threads);

/// Narrowing for MPI counts; throws invalid_argument when `count` exceeds an int.
int mpi_count(const char* fn, std::int64_t count, const char* what);

}  // namespace tandem::dist::detail
