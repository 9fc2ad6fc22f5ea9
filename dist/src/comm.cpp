#include "comm.hpp"

#include <algorithm>
#include <climits>
#include <mutex>
#include <new>
#include <utility>

#include "tandem/dist.hpp"
#include "tandem/options.hpp"

namespace tandem::dist::detail {

template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}
template <>
MPI_Datatype mpi_type<std::int32_t>() {
  return MPI_INT32_T;
}
template <>
MPI_Datatype mpi_type<std::int64_t>() {
  return MPI_INT64_T;
}
template <>
MPI_Datatype mpi_type<char>() {
  return MPI_CHAR;
}

namespace {

const char* op_name(std::int64_t signature) {
  static const char* const names[] = {"mse", "mse(a, b)", "sum",  "mean",       "min",
                                      "max", "matmul",    "sort", "word_count", "block"};
  const std::int64_t op = signature / 16;
  return op >= 0 && op < static_cast<std::int64_t>(std::size(names)) ? names[op] : "?";
}

std::string describe_call(std::int64_t signature) {
  static const char* const dtypes[] = {"", "f32", "f64", "i32", "i64"};
  const std::int64_t d = signature % 16;
  std::string s = op_name(signature);
  if (d > 0 && d < 5) s += std::string(" of ") + dtypes[d];
  return s;
}

// The duplicate communicator lives as an attribute of the user's: created on first use, freed
// when the user's communicator is freed (or at MPI_Finalize for MPI_COMM_WORLD).
int delete_dup(MPI_Comm, int, void* value, void*) {
  auto* dup = static_cast<MPI_Comm*>(value);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_free(dup);
  delete dup;
  return MPI_SUCCESS;
}

int dup_keyval() {
  static std::once_flag once;
  static int keyval = MPI_KEYVAL_INVALID;
  std::call_once(
      once, [] { MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, delete_dup, &keyval, nullptr); });
  return keyval;
}

}  // namespace

Comm::Comm(const char* fn, MPI_Comm user) : fn_(fn) {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) {
    throw invalid_argument(std::string(fn) + ": MPI is " +
                           (finalized ? "already finalized" : "not initialized") +
                           " (call MPI_Init first)");
  }
  if (user == MPI_COMM_NULL) throw invalid_argument(std::string(fn) + ": comm is MPI_COMM_NULL");
  const int keyval = dup_keyval();
  void* value = nullptr;
  int found = 0;
  check(MPI_Comm_get_attr(user, keyval, &value, &found), "MPI_Comm_get_attr");
  if (found) {
    comm_ = *static_cast<MPI_Comm*>(value);
  } else {
    int inter = 0;
    check(MPI_Comm_test_inter(user, &inter), "MPI_Comm_test_inter");
    if (inter) throw invalid_argument(std::string(fn) + ": comm is an intercommunicator");
    auto* dup = new MPI_Comm(MPI_COMM_NULL);
    if (MPI_Comm_dup(user, dup) != MPI_SUCCESS) {
      delete dup;
      throw device_error(std::string(fn) + ": MPI_Comm_dup failed");
    }
    MPI_Comm_set_errhandler(*dup, MPI_ERRORS_RETURN);
    if (MPI_Comm_set_attr(user, keyval, dup) != MPI_SUCCESS) {
      MPI_Comm_free(dup);
      delete dup;
      throw device_error(std::string(fn) + ": MPI_Comm_set_attr failed");
    }
    comm_ = *dup;
  }
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Comm::check(int rc, const char* call) const {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw device_error(std::string(fn_) + ": " + call + " failed on rank " + std::to_string(rank_) +
                     ": " + std::string(text, static_cast<std::size_t>(len)));
}

std::pair<errc, std::string> describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const tandem::error& x) {
    return {x.code(), x.what()};
  } catch (const std::bad_alloc&) {
    return {errc::out_of_memory, "out of memory"};
  } catch (const std::exception& x) {
    return {errc::device_error, x.what()};
  } catch (...) {
    return {errc::device_error, "unknown exception"};
  }
}

void check_threads(const char* fn, int threads) {
  if (threads < 0 || threads > max_threads) {
    (void)fn;
    throw invalid_argument("options.threads is " + std::to_string(threads) +
                           " (must be from 0 to " + std::to_string(max_threads) + ")");
  }
}

int mpi_count(const char* fn, std::int64_t count, const char* what) {
  if (count < 0 || count > INT_MAX) {
    (void)fn;
    throw invalid_argument(std::string(what) + " is " + std::to_string(count) +
                           " elements, more than one MPI message carries (" +
                           std::to_string(INT_MAX) + ")");
  }
  return static_cast<int>(count);
}

void Comm::raise(int origin, std::int64_t code, const std::string& message) const {
  std::string text = std::string(fn_) + ": ";
  if (size_ > 1) text += "rank " + std::to_string(origin) + " of " + std::to_string(size_) + ": ";
  throw_error(static_cast<errc>(code), text + message);
}

void Comm::fail_all(errc code, const std::string& message) const {
  throw_error(code, std::string(fn_) + ": " + message);
}

// `origin` failed with `code`; it sends its message to all (the others receive it) and every
// rank throws it.
void Comm::broadcast_and_throw(int origin, std::int64_t code, std::exception_ptr local) const {
  std::string message;
  if (rank_ == origin) message = describe(local).second;
  std::int64_t len = static_cast<std::int64_t>(message.size());
  check(MPI_Bcast(&len, 1, MPI_INT64_T, origin, comm_), "MPI_Bcast");
  message.resize(static_cast<std::size_t>(len));
  if (len > 0) {
    check(MPI_Bcast(message.data(), static_cast<int>(len), MPI_CHAR, origin, comm_), "MPI_Bcast");
  }
  raise(origin, code, message);
}

std::vector<Status> Comm::open(Op op, std::int64_t dtype, const std::int64_t (&v)[4],
                               std::exception_ptr local) const {
  Status mine;
  mine.signature = static_cast<std::int64_t>(op) * 16 + dtype;
  if (local) {
    const auto code = describe(local).first;
    mine.error = static_cast<std::int64_t>(code);
  }
  std::copy(std::begin(v), std::end(v), std::begin(mine.v));
  std::vector<Status> all(static_cast<std::size_t>(size_));
  constexpr int kWords = sizeof(Status) / sizeof(std::int64_t);
  check(MPI_Allgather(&mine, kWords, MPI_INT64_T, all.data(), kWords, MPI_INT64_T, comm_),
        "MPI_Allgather");
  for (int r = 0; r < size_; ++r) {
    if (all[r].signature != all[0].signature) {
      fail_all(errc::invalid_argument,
               "the ranks disagree on the call: rank 0 called " + describe_call(all[0].signature) +
                   ", rank " + std::to_string(r) + " called " + describe_call(all[r].signature));
    }
  }
  for (int r = 0; r < size_; ++r) {
    if (all[r].error != 0) broadcast_and_throw(r, all[r].error, local);
  }
  return all;
}

void Comm::agree(std::exception_ptr local) const {
  // The lowest failing rank reports: MIN over rank * 16 + its errc (size * 16 when none failed).
  std::int64_t mine = static_cast<std::int64_t>(size_) * 16;
  if (local)
    mine = static_cast<std::int64_t>(rank_) * 16 + static_cast<std::int64_t>(describe(local).first);
  std::int64_t first = 0;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT64_T, MPI_MIN, comm_), "MPI_Allreduce");
  if (first >= static_cast<std::int64_t>(size_) * 16) return;
  broadcast_and_throw(static_cast<int>(first / 16), first % 16, local);
}

}  // namespace tandem::dist::detail
