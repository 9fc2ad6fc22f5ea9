#include "kernels/map_ops.hpp"
#include "serial_backend.hpp"

namespace tandem::detail::serial {

void map(MapArgs& args, const Exec&) {
  visit_dtype(args.dtype, [&]<class T>() {
    const T* x = static_cast<const T*>(args.x);
    T* y = static_cast<T*>(args.y);
    const T* p = static_cast<const T*>(args.params);
    for (std::int64_t i = 0; i < args.n; ++i) {
      y[i] = visit_op(args.kind, p, args.nparams, [&](auto op) { return op(x[i]); });
    }
  });
}

}  // namespace tandem::detail::serial
