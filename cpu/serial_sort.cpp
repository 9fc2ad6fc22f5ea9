// RECIPE 5 (ARCHITECTURE.md, "Adding a workload"): the serial oracle.
// sort on the serial backend, the oracle: the NaNs moved to the end, then std::sort of the rest.
#include <algorithm>

#include "serial_backend.hpp"

namespace tandem::detail::serial {

void sort(SortArgs& args, const Exec&) {
  visit_dtype(args.dtype, [&]<class T>() {
    T* x = static_cast<T*>(args.x);
    T* end = std::partition(x, x + args.n, [](T v) { return v == v; });  // false only for NaN
    std::sort(x, end);
  });
}

}  // namespace tandem::detail::serial
