// word_count over ranks and block().
//   1. each rank counts the words of its own text (tandem::word_count on its backend);
//   2. words are partitioned by hash (FNV-1a, the same on every rank): one all-to-all sends each
//      (word, count) to the rank that owns its hash, which adds the counts of all ranks;
//   3. one all-gather gives every rank the merged counts, which it sorts (count desc, word asc).
// Records travel as bytes: an 8-byte count, an 8-byte length, then the word.
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "comm.hpp"
#include "tandem/dist.hpp"
#include "tandem/word_count.hpp"

namespace tandem::dist::detail {
namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char ch : s) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h;
}

using Counts = std::unordered_map<std::string, std::int64_t>;

void put(std::string& out, std::string_view word, std::int64_t count) {
  const auto len = static_cast<std::int64_t>(word.size());
  out.append(reinterpret_cast<const char*>(&count), sizeof count);
  out.append(reinterpret_cast<const char*>(&len), sizeof len);
  out.append(word);
}

template <class F>
void each_record(const char* data, std::size_t size, F&& f) {
  std::size_t at = 0;
  while (at + 16 <= size) {
    std::int64_t count = 0;
    std::int64_t len = 0;
    std::memcpy(&count, data + at, 8);
    std::memcpy(&len, data + at + 8, 8);
    f(std::string_view(data + at + 16, static_cast<std::size_t>(len)), count);
    at += 16 + static_cast<std::size_t>(len);
  }
}

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

std::vector<WordCount> word_count_impl(std::string_view text, MPI_Comm comm,
                                       const Options& options) {
  constexpr const char* kFn = "tandem::dist::word_count";
  const Comm c(kFn, comm);
  const int P = c.size();
  std::exception_ptr error;
  std::vector<std::string> outgoing(static_cast<std::size_t>(P));
  try {
    check_threads(kFn, options.threads);
    if (text.data() == nullptr && !text.empty()) {
      throw invalid_argument("local_text has " + std::to_string(text.size()) +
                             " bytes but a null data pointer");
    }
    // The rank's own text on its backend: tandem::word_count's words, folded the same way.
    for (const auto& [word, count] : tandem::word_count(text, options)) {
      put(outgoing[fnv1a(word) % static_cast<std::uint64_t>(P)], word, count);
    }
    for (const std::string& o : outgoing) {
      mpi_count(kFn, static_cast<std::int64_t>(o.size()), "the counts sent to one rank");
    }
  } catch (...) {
    error = std::current_exception();
  }
  const std::int64_t v[4] = {static_cast<std::int64_t>(text.size()), 0, 0, 0};
  c.open(Op::word_count, kNoDtype, v, error);

  // 2. To the owners of the words' hashes.
  std::vector<int> send(static_cast<std::size_t>(P));
  std::string packed;
  for (int s = 0; s < P; ++s) {
    send[s] = static_cast<int>(outgoing[s].size());
    packed += outgoing[s];
  }
  outgoing.clear();
  std::vector<int> recv(static_cast<std::size_t>(P));
  c.check(MPI_Alltoall(send.data(), 1, MPI_INT, recv.data(), 1, MPI_INT, c.get()), "MPI_Alltoall");
  std::int64_t received = 0;
  for (const int x : recv) received += x;
  std::string incoming;
  error = nullptr;
  try {
    mpi_count(kFn, received, "the counts one rank receives");
    incoming.resize(static_cast<std::size_t>(received));
  } catch (...) {
    error = std::current_exception();
  }
  c.agree(error);
  c.check(
      MPI_Alltoallv(packed.data(), send.data(), displacements(send).data(), MPI_CHAR,
                    incoming.data(), recv.data(), displacements(recv).data(), MPI_CHAR, c.get()),
      "MPI_Alltoallv");
  Counts merged;
  each_record(incoming.data(), incoming.size(),
              [&](std::string_view w, std::int64_t n) { merged[std::string(w)] += n; });
  packed.clear();
  for (const auto& [word, count] : merged) put(packed, word, count);

  // 3. Everyone gets everything.
  const int mine = static_cast<int>(packed.size());
  std::vector<int> sizes(static_cast<std::size_t>(P));
  c.check(MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, c.get()), "MPI_Allgather");
  std::int64_t total = 0;
  for (const int x : sizes) total += x;
  error = nullptr;
  std::string everything;
  try {
    mpi_count(kFn, total, "the merged counts");
    everything.resize(static_cast<std::size_t>(total));
  } catch (...) {
    error = std::current_exception();
  }
  c.agree(error);
  c.check(MPI_Allgatherv(packed.data(), mine, MPI_CHAR, everything.data(), sizes.data(),
                         displacements(sizes).data(), MPI_CHAR, c.get()),
          "MPI_Allgatherv");
  std::vector<WordCount> result;
  each_record(everything.data(), everything.size(), [&](std::string_view w, std::int64_t n) {
    result.push_back(WordCount{std::string(w), n});
  });
  std::sort(result.begin(), result.end(), [](const WordCount& a, const WordCount& b) {
    return a.count != b.count ? a.count > b.count : a.word < b.word;
  });
  return result;
}

}  // namespace
}  // namespace tandem::dist::detail

namespace tandem::dist {

std::vector<WordCount> word_count(std::string_view local_text, MPI_Comm comm,
                                  const Options& options) {
  return detail::word_count_impl(local_text, comm, options);
}

std::pair<std::int64_t, std::int64_t> block(std::int64_t total, MPI_Comm comm) {
  constexpr const char* kFn = "tandem::dist::block";
  const detail::Comm c(kFn, comm);
  std::exception_ptr error;
  if (total < 0) {
    error = std::make_exception_ptr(
        invalid_argument("total is " + std::to_string(total) + " (must be >= 0)"));
  }
  const std::int64_t v[4] = {total, 0, 0, 0};
  const std::vector<detail::Status> all = c.open(detail::Op::block, detail::kNoDtype, v, error);
  for (int s = 0; s < c.size(); ++s) {
    if (all[s].v[0] != all[0].v[0]) {
      c.fail_all(errc::invalid_argument, "total is " + std::to_string(all[s].v[0]) + " on rank " +
                                             std::to_string(s) + " but " +
                                             std::to_string(all[0].v[0]) +
                                             " on rank 0 (it must be the same on every rank)");
    }
  }
  const std::int64_t P = c.size();
  const std::int64_t r = c.rank();
  const auto at = [&](std::int64_t s) { return (total / P) * s + std::min(s, total % P); };
  return {at(r), at(r + 1)};
}

}  // namespace tandem::dist
