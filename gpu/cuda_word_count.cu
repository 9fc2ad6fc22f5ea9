// word_count on the GPU: word_sort.hpp's exact flow (word starts and ends by copy_if, a sort of
// the words by their folded bytes, reduce_by_key with byte equality, a stable sort by count) on
// the call's stream; counts and one occurrence per distinct word come back, the host builds the
// words from its text and hands them to the call's emit callback.
// The same source builds the real module (nvcc, CudaCall) and the emulated one (the host
// compiler, HostCall on Thrust's OpenMP system): no CUDA syntax here.
#include "module_call.hpp"
#include "word_sort.hpp"

namespace tandem::cuda {

/// The text is host memory (word_count has no DeviceBuffer form): `device` is always false.
template <class Call>
void word_count_on(detail::WordCountArgs& a, bool, detail::Breakdown* timing) {
  count_words_on<Call>(a.text, a.n, a.emit, a.ctx, timing);
}

TANDEM_CUDA_WORKLOAD(word_count)

}  // namespace tandem::cuda
