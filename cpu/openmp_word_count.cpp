// word_count, openmp: the text cut at word boundaries into one part per thread, each counted
// into its own open-addressing table, the tables merged by hash shard without a lock, the
// shards sorted in parallel and merged (cpu/kernels/word_table.hpp).
#include <cstddef>

#include "kernels/word_table.hpp"
#include "openmp_backend.hpp"

namespace tandem::detail::openmp {

void word_count(WordCountArgs& a, const Exec& exec) {
  const auto parts = static_cast<std::size_t>(exec.threads);
  const auto parallel_for = [](std::size_t count, auto&& body) {
    if (count == 1) {
      body(std::size_t{0});
      return;
    }
#pragma omp parallel for schedule(static, 1) num_threads(static_cast <int>(count))
    for (std::size_t i = 0; i < count; ++i) body(i);
  };
  words::count_words_sharded(reinterpret_cast<const unsigned char*>(a.text),
                             static_cast<std::size_t>(a.n), parts, parallel_for,
                             [&a](const unsigned char* w, std::size_t size, std::int64_t count) {
                               a.emit(a.ctx, reinterpret_cast<const char*>(w), size, count);
                             });
}

}  // namespace tandem::detail::openmp
