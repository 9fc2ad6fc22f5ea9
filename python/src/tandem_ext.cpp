// tandem._tandem: the Python binding of tandem's public API (nanobind).
//
// Arrays come in through nanobind's ndarray (buffer protocol / DLPack) and are used in place:
// no copy, no dtype conversion. The element type must be one tandem computes with (float32,
// float64, int32, int64); anything else is tandem.InvalidArgument naming the dtype. Every call
// into the library runs with the GIL released. Errors are tandem's own (same messages), raised
// as the Python classes created in init_errors().
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <tandem/tandem.hpp>

// Workloads that land in the C++ library later: bound only when their headers exist, so this
// file builds against either version; the Python tests skip what the module lacks.
#if __has_include(<tandem/reduce.hpp>)
#include <tandem/reduce.hpp>
#define TANDEM_PY_HAS_REDUCE 1
#else
#define TANDEM_PY_HAS_REDUCE 0
#endif
#if __has_include(<tandem/sort.hpp>)
#include <tandem/sort.hpp>
#define TANDEM_PY_HAS_SORT 1
#else
#define TANDEM_PY_HAS_SORT 0
#endif
#if __has_include(<tandem/word_count.hpp>)
#include <tandem/word_count.hpp>
#define TANDEM_PY_HAS_WORD_COUNT 1
#else
#define TANDEM_PY_HAS_WORD_COUNT 0
#endif

namespace nb = nanobind;
using namespace nb::literals;

namespace {

// ---------------------------------------------------------------------------------- errors
PyObject* g_error = nullptr;
PyObject* g_invalid_argument = nullptr;
PyObject* g_backend_unavailable = nullptr;
PyObject* g_device_error = nullptr;
PyObject* g_out_of_memory = nullptr;
PyObject* g_verification_error = nullptr;

PyObject* new_error(nb::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string qualified = std::string("tandem.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw nb::python_error();
  m.attr(name) = nb::handle(type);
  return type;
}

PyObject* two_bases(PyObject* a, PyObject* b) {
  PyObject* t = PyTuple_Pack(2, a, b);
  if (t == nullptr) throw nb::python_error();
  return t;
}

void init_errors(nb::module_& m) {
  g_error = new_error(m, "Error", PyExc_Exception, "Base of every error tandem raises.");
  g_invalid_argument =
      new_error(m, "InvalidArgument", two_bases(g_error, PyExc_ValueError),
                "An argument (dtype, shape, size, overlap, option, name) is not acceptable.");
  g_backend_unavailable = new_error(m, "BackendUnavailable", two_bases(g_error, PyExc_RuntimeError),
                                    "The requested backend cannot run here; the message says why.");
  g_device_error = new_error(m, "DeviceError", two_bases(g_error, PyExc_RuntimeError),
                             "A device or runtime call failed.");
  g_out_of_memory = new_error(m, "OutOfMemory", two_bases(g_error, PyExc_MemoryError),
                              "An allocation failed; later calls still work.");
  g_verification_error =
      new_error(m, "VerificationError", two_bases(g_error, PyExc_RuntimeError),
                "verify=True (or TANDEM_VERIFY=1): the result differs from the serial oracle's.");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const tandem::invalid_argument& e) {
      PyErr_SetString(g_invalid_argument, e.what());
    } catch (const tandem::backend_unavailable& e) {
      PyErr_SetString(g_backend_unavailable, e.what());
    } catch (const tandem::device_error& e) {
      PyErr_SetString(g_device_error, e.what());
    } catch (const tandem::out_of_memory& e) {
      PyErr_SetString(g_out_of_memory, e.what());
    } catch (const tandem::verification_error& e) {
      PyErr_SetString(g_verification_error, e.what());
    } catch (const tandem::error& e) {
      PyErr_SetString(g_error, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(g_out_of_memory, "tandem: out of memory (std::bad_alloc)");
    }
  });
}

[[noreturn]] void invalid(const std::string& message) { throw tandem::invalid_argument(message); }

// ---------------------------------------------------------------------------------- arrays
using InArray = nb::ndarray<nb::ro>;  // any dtype, shape, device; read-only accepted
using OutArray = nb::ndarray<>;       // must be writable

// str(h), or ascii(h) (quoted, non-ASCII and control characters escaped) for user text.
std::string text_of(nb::handle h, bool ascii = false) {
  nb::object s = nb::steal(ascii ? PyObject_ASCII(h.ptr()) : PyObject_Str(h.ptr()));
  const char* p = s.is_valid() ? PyUnicode_AsUTF8(s.ptr()) : nullptr;
  if (p == nullptr) {
    PyErr_Clear();
    return "?";
  }
  return p;
}

std::string py_type_name(nb::handle h) { return Py_TYPE(h.ptr())->tp_name; }

// numpy's name of a dtype when the object has one (int16, complex128, object...), else the
// DLPack code and bits.
std::string dtype_name(nb::handle h, nb::dlpack::dtype dt, bool have_dt) {
  if (nb::hasattr(h, "dtype")) {
    try {
      return text_of(h.attr("dtype"));
    } catch (const nb::python_error&) {
    }
  }
  if (!have_dt) return "unknown";
  const char* kind = "?";
  switch (static_cast<nb::dlpack::dtype_code>(dt.code)) {
    case nb::dlpack::dtype_code::Int:
      kind = "int";
      break;
    case nb::dlpack::dtype_code::UInt:
      kind = "uint";
      break;
    case nb::dlpack::dtype_code::Float:
      kind = "float";
      break;
    case nb::dlpack::dtype_code::Complex:
      kind = "complex";
      break;
    case nb::dlpack::dtype_code::Bool:
      kind = "bool";
      break;
    default:
      break;
  }
  return std::string(kind) + std::to_string(dt.bits);
}

constexpr const char* kDtypes = "float32, float64, int32 or int64";

std::optional<tandem::DType> dtype_of(nb::dlpack::dtype dt) {
  if (dt.lanes != 1) return std::nullopt;
  if (dt == nb::dtype<float>()) return tandem::DType::f32;
  if (dt == nb::dtype<double>()) return tandem::DType::f64;
  if (dt == nb::dtype<std::int32_t>()) return tandem::DType::i32;
  if (dt == nb::dtype<std::int64_t>()) return tandem::DType::i64;
  return std::nullopt;
}

const char* numpy_name(tandem::DType d) {
  switch (d) {
    case tandem::DType::f32:
      return "float32";
    case tandem::DType::f64:
      return "float64";
    case tandem::DType::i32:
      return "int32";
    case tandem::DType::i64:
      return "int64";
  }
  return "?";
}

// An array argument as tandem sees it: host data, one of its dtypes, shape and element strides.
struct Array {
  nb::handle object;
  const char* name = "";
  void* data = nullptr;
  tandem::DType dtype = tandem::DType::f64;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  // in elements
  std::int64_t size = 1;

  bool contiguous() const {
    if (size == 0) return true;
    std::int64_t expected = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
      if (shape[i] == 1) continue;
      if (strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }
  template <class T>
  std::span<T> span() const {
    return {static_cast<T*>(data), static_cast<std::size_t>(size)};
  }
};

template <class A>
Array describe(const char* fn, const char* name, nb::handle h, const A& a) {
  Array r;
  r.object = h;
  r.name = name;
  if (a.device_type() != nb::device::cpu::value) {
    invalid(std::string(fn) + ": " + name + " is in device memory (DLPack device type " +
            std::to_string(a.device_type()) +
            "); tandem's C++ API cannot wrap memory it did not allocate (tandem::DeviceBuffer "
            "owns its storage), so device arrays are not accepted: copy it to the host "
            "(cupy.asnumpy(x), x.cpu().numpy()) or pass a numpy array");
  }
  const auto d = dtype_of(a.dtype());
  if (!d) {
    invalid(std::string(fn) + ": " + name + " has dtype " + dtype_name(h, a.dtype(), true) +
            "; tandem computes in " + kDtypes + " only (convert it explicitly, e.g. " +
            "x.astype(np.float64))");
  }
  r.dtype = *d;
  r.data = const_cast<void*>(static_cast<const void*>(a.data()));
  for (std::size_t i = 0; i < a.ndim(); ++i) {
    r.shape.push_back(static_cast<std::int64_t>(a.shape(i)));
    r.strides.push_back(static_cast<std::int64_t>(a.stride(i)));
    r.size *= r.shape.back();
  }
  return r;
}

// Why `h` is no array nanobind can take: a dtype it has no DLPack code for (object, datetime),
// or no array at all.
[[noreturn]] void not_an_array(const char* fn, const char* name, nb::handle h, bool writable) {
  if (writable && nb::hasattr(h, "flags")) {
    try {
      if (!nb::cast<bool>(h.attr("flags").attr("writeable"))) {
        invalid(std::string(fn) + ": " + name + " is read-only");
      }
    } catch (const nb::python_error&) {
    } catch (const nb::cast_error&) {
    }
  }
  if (nb::hasattr(h, "dtype")) {
    invalid(std::string(fn) + ": " + name + " has dtype " +
            dtype_name(h, nb::dlpack::dtype{}, false) + "; tandem computes in " + kDtypes +
            " only");
  }
  invalid(std::string(fn) + ": " + name +
          " must be an array (numpy.ndarray or any object with "
          "the buffer protocol or __dlpack__), not " +
          py_type_name(h));
}

Array input(const char* fn, const char* name, nb::handle h) {
  InArray a;
  if (!nb::try_cast(h, a, false)) not_an_array(fn, name, h, false);
  return describe(fn, name, h, a);
}

Array output(const char* fn, const char* name, nb::handle h) {
  OutArray a;
  if (!nb::try_cast(h, a, false)) not_an_array(fn, name, h, true);
  return describe(fn, name, h, a);
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) s += ",";
    if (i + 1 < shape.size()) s += " ";
  }
  return s + ")";
}

void require_contiguous(const char* fn, const Array& a) {
  if (!a.contiguous()) {
    std::string strides;
    for (auto s : a.strides) strides += (strides.empty() ? "" : ", ") + std::to_string(s);
    invalid(std::string(fn) + ": " + a.name + " is not contiguous (shape " + shape_string(a.shape) +
            ", element strides (" + strides +
            ")); tandem reads arrays in place and never copies them silently: pass "
            "numpy.ascontiguousarray(" +
            a.name + ")");
  }
}

void require_same_dtype(const char* fn, const Array& a, const Array& b) {
  if (a.dtype != b.dtype) {
    invalid(std::string(fn) + ": " + b.name + " has dtype " + numpy_name(b.dtype) + " but " +
            a.name + " has dtype " + numpy_name(a.dtype) + " (they must match)");
  }
}

// A fresh array of `shape` owning tandem::allocator memory (huge pages for large blocks, pages
// first touched in parallel), allocated without the GIL.
struct Block {
  void* data = nullptr;
  std::size_t bytes = 0;
  Block() = default;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  ~Block() {
    if (data != nullptr) tandem::detail::deallocate_bytes(data, bytes);
  }
};

std::size_t checked_bytes(const char* fn, const std::vector<std::int64_t>& shape,
                          std::size_t elem) {
  std::uint64_t n = 1;
  for (auto s : shape) {
    if (s < 0 || (s != 0 && n > std::numeric_limits<std::uint64_t>::max() / 2 /
                                    static_cast<std::uint64_t>(s) / elem)) {
      throw tandem::out_of_memory(std::string(fn) + ": cannot allocate an array of shape " +
                                  shape_string(shape));
    }
    n *= static_cast<std::uint64_t>(s);
  }
  return static_cast<std::size_t>(n) * elem;
}

void allocate(const char* fn, Block& b, std::size_t bytes, const std::vector<std::int64_t>& shape) {
  try {
    b.data = tandem::detail::allocate_bytes(std::max<std::size_t>(bytes, 1));
    b.bytes = std::max<std::size_t>(bytes, 1);
  } catch (const std::bad_alloc&) {
    throw tandem::out_of_memory(std::string(fn) + ": cannot allocate the result, shape " +
                                shape_string(shape) + " (" + std::to_string(bytes >> 20) + " MiB)");
  }
}

// Hands the block to a new numpy array (the capsule frees it).
template <class T>
nb::object to_numpy(Block& b, const std::vector<std::int64_t>& shape) {
  auto* owned = new Block();
  owned->data = std::exchange(b.data, nullptr);
  owned->bytes = b.bytes;
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<Block*>(p); });
  std::vector<std::size_t> s(shape.begin(), shape.end());
  return nb::cast(nb::ndarray<nb::numpy, T>(owned->data, s.size(), s.data(), owner));
}

nb::object to_numpy(tandem::DType d, Block& b, const std::vector<std::int64_t>& shape) {
  switch (d) {
    case tandem::DType::f32:
      return to_numpy<float>(b, shape);
    case tandem::DType::f64:
      return to_numpy<double>(b, shape);
    case tandem::DType::i32:
      return to_numpy<std::int32_t>(b, shape);
    case tandem::DType::i64:
      return to_numpy<std::int64_t>(b, shape);
  }
  return nb::none();
}

template <class F>
decltype(auto) visit(tandem::DType d, F&& f) {
  switch (d) {
    case tandem::DType::f32:
      return f(float{});
    case tandem::DType::f64:
      return f(double{});
    case tandem::DType::i32:
      return f(std::int32_t{});
    case tandem::DType::i64:
      return f(std::int64_t{});
  }
  return f(double{});
}

// ---------------------------------------------------------------------------------- options
// backend=, threads=, stats=, verify= of a call. stats=True returns (result, Stats); a
// tandem.Stats object is filled in place and the result returned alone.
struct Call {
  tandem::Options options;
  tandem::Stats stats;
  nb::handle stats_arg;
  bool want_tuple = false;
  bool want_fill = false;

  Call(const char* fn, nb::handle backend, int threads, nb::handle stats_, bool verify) {
    if (!backend.is_none()) {
      if (!nb::isinstance<nb::str>(backend)) {
        invalid(std::string(fn) + ": backend must be a name (str) such as 'openmp', not " +
                py_type_name(backend));
      }
      options.backend = tandem::parse_backend(nb::cast<std::string_view>(backend));
    }
    options.threads = threads;
    options.verify = verify;
    stats_arg = stats_;
    if (stats_.is_none() || stats_.is(Py_False)) {
    } else if (stats_.is(Py_True)) {
      want_tuple = true;
    } else if (nb::isinstance<tandem::Stats>(stats_)) {
      want_fill = true;
    } else {
      invalid(std::string(fn) + ": stats must be True, False or a tandem.Stats, not " +
              py_type_name(stats_));
    }
    if (want_tuple || want_fill) options.stats = &stats;
  }

  nb::object finish(nb::object result) const {
    if (want_fill) {
      *nb::cast<tandem::Stats*>(stats_arg) = stats;
      return result;
    }
    if (want_tuple) return nb::make_tuple(result, nb::cast(stats));
    return result;
  }
};

// ---------------------------------------------------------------------------------- scalars
tandem::Scalar to_scalar(const char* fn, nb::handle h) {
  if (PyBool_Check(h.ptr()) || PyLong_Check(h.ptr()) ||
      (!PyFloat_Check(h.ptr()) && PyIndex_Check(h.ptr()))) {
    nb::object index = nb::steal(PyNumber_Index(h.ptr()));
    if (!index.is_valid()) throw nb::python_error();
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) {
      invalid(std::string(fn) + ": parameter " + text_of(h) + " does not fit in 64 bits");
    }
    if (v == -1 && PyErr_Occurred()) throw nb::python_error();
    return tandem::Scalar(static_cast<std::int64_t>(v));
  }
  if (PyFloat_Check(h.ptr()) || nb::hasattr(h, "__float__")) {
    const double v = PyFloat_AsDouble(h.ptr());
    if (v == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return tandem::Scalar(v);
  }
  invalid(std::string(fn) + ": parameters must be real numbers, not " + py_type_name(h));
}

// A Python number converted to T exactly (2.5 for an int32 axis, 2**40 for int32, 1e300 for
// float32 are errors). Floating T takes any real number that is finite in T or non-finite.
template <class T>
T to_element(const char* fn, const char* what, nb::handle h) {
  const tandem::Scalar s = to_scalar(fn, h);
  if constexpr (std::is_integral_v<T>) {
    if (s.is_integer()) {
      if (s.integer() >= std::numeric_limits<T>::min() &&
          s.integer() <= std::numeric_limits<T>::max()) {
        return static_cast<T>(s.integer());
      }
    } else {
      const double v = s.floating();
      if (std::isfinite(v) && v == std::floor(v) && v >= -9.2233720368547758e18 &&
          v < 9.2233720368547758e18) {
        const auto i = static_cast<std::int64_t>(v);
        if (i >= std::numeric_limits<T>::min() && i <= std::numeric_limits<T>::max())
          return static_cast<T>(i);
      }
    }
    invalid(std::string(fn) + ": " + what + " value " + text_of(h) + " does not fit the dtype " +
            numpy_name(tandem::dtype_of<T>));
  } else {
    const double v = s.is_integer() ? static_cast<double>(s.integer()) : s.floating();
    if (std::is_same_v<T, float> && std::isfinite(v) &&
        std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) {
      invalid(std::string(fn) + ": " + what + " value " + text_of(h) +
              " does not fit the dtype float32");
    }
    return static_cast<T>(v);
  }
}

// ---------------------------------------------------------------------------------- backends
std::vector<std::string> available_backends() {
  std::vector<std::string> names;
  for (auto b : tandem::available_backends()) names.emplace_back(tandem::to_string(b));
  return names;
}

nb::dict backend_info(std::string_view name) {
  const tandem::BackendInfo info = tandem::backend_info(tandem::parse_backend(name));
  nb::dict d;
  d["name"] = info.name;
  d["available"] = info.available;
  d["reason"] = info.reason;
  d["threads"] = info.threads;
  d["device"] = info.device;
  return d;
}

// ---------------------------------------------------------------------------------- map
tandem::MapOp parse_op(const char* fn, std::string_view op, const std::vector<tandem::Scalar>& p) {
  auto count = [&](std::size_t want, const char* form) {
    if (p.size() != want) {
      invalid(std::string(fn) + ": op '" + std::string(op) + "' takes " + std::to_string(want) +
              " parameter" + (want == 1 ? "" : "s") + " (" + form + "), " +
              std::to_string(p.size()) + " given");
    }
  };
  if (op == "scale") {
    count(1, "a: a*x");
    return tandem::MapOp::scale(p[0]);
  }
  if (op == "affine") {
    count(2, "a, b: a*x + b");
    return tandem::MapOp::affine(p[0], p[1]);
  }
  if (op == "square") {
    count(0, "x*x");
    return tandem::MapOp::square();
  }
  if (op == "abs") {
    count(0, "|x|");
    return tandem::MapOp::abs();
  }
  if (op == "polynomial") {
    if (p.empty()) {
      invalid(std::string(fn) +
              ": op 'polynomial' takes at least one coefficient (highest "
              "degree first, as numpy.polyval)");
    }
    return tandem::MapOp::polynomial(p);
  }
  invalid(std::string(fn) + ": unknown op " + text_of(nb::str(op.data(), op.size()), true) +
          " (valid: scale, affine, square, abs, polynomial)");
}

std::vector<tandem::Scalar> op_params(const char* fn, const nb::args& params) {
  std::vector<tandem::Scalar> p;
  // One list, tuple or 1-D array spreads: map(x, "polynomial", [1, 0, -2]) is
  // map(x, "polynomial", 1, 0, -2).
  const auto spreads = [](nb::handle h) {
    if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) return true;
    if (!nb::hasattr(h, "ndim")) return false;
    try {
      return nb::cast<int>(h.attr("ndim")) >= 1;
    } catch (const std::exception&) {
      PyErr_Clear();
      return false;
    }
  };
  if (params.size() == 1 && spreads(params[0])) {
    nb::object seq = nb::borrow(params[0]);
    for (nb::handle h : seq) p.push_back(to_scalar(fn, h));
    return p;
  }
  for (nb::handle h : params) p.push_back(to_scalar(fn, h));
  return p;
}

nb::object py_map(nb::handle x_, std::string_view op_name, nb::args params, nb::handle out_,
                  nb::handle backend, int threads, nb::handle stats, bool verify) {
  constexpr const char* fn = "tandem.map";
  Call call(fn, backend, threads, stats, verify);
  const Array x = input(fn, "x", x_);
  require_contiguous(fn, x);
  const tandem::MapOp op = parse_op(fn, op_name, op_params(fn, params));
  if (!out_.is_none()) {
    const Array out = output(fn, "out", out_);
    require_same_dtype(fn, x, out);
    require_contiguous(fn, out);
    if (out.size != x.size) {
      invalid(std::string(fn) + ": out has " + std::to_string(out.size) + " elements, shape " +
              shape_string(out.shape) + ", but x has " + std::to_string(x.size) + ", shape " +
              shape_string(x.shape));
    }
    {
      nb::gil_scoped_release release;
      visit(x.dtype, [&](auto t) {
        using T = decltype(t);
        tandem::map(std::span<const T>(x.span<T>()), out.span<T>(), op, call.options);
      });
    }
    return call.finish(nb::borrow(out_));
  }
  Block block;
  {
    nb::gil_scoped_release release;
    allocate(fn, block, checked_bytes(fn, x.shape, tandem::size_of(x.dtype)), x.shape);
    visit(x.dtype, [&](auto t) {
      using T = decltype(t);
      tandem::map(std::span<const T>(x.span<T>()),
                  std::span<T>(static_cast<T*>(block.data), static_cast<std::size_t>(x.size)), op,
                  call.options);
    });
  }
  return call.finish(to_numpy(x.dtype, block, x.shape));
}

// ---------------------------------------------------------------------------------- matrices
// A 2-D array as a row-major view with a leading dimension: unit column stride and a row stride
// of at least the row length. Inputs of other layouts (transposed, Fortran order, negative or
// column strides) are copied into a contiguous scratch matrix when `copy` is given; outputs
// must have the layout.
template <class T>
tandem::MatrixView<T> matrix_view(const char* fn, const Array& a, std::vector<T>* copy = nullptr) {
  if (a.shape.size() != 2) {
    invalid(std::string(fn) + ": " + a.name + " must be 2-D, got shape " + shape_string(a.shape));
  }
  const std::int64_t rows = a.shape[0], cols = a.shape[1];
  auto* data = static_cast<T*>(a.data);
  if (rows <= 1 || cols == 0) {
    if (cols <= 1 || a.strides[1] == 1) return {data, rows, cols, std::max<std::int64_t>(cols, 1)};
  }
  const bool unit_cols = cols <= 1 || a.strides[1] == 1;
  const std::int64_t ld = rows <= 1 ? std::max<std::int64_t>(cols, 1) : a.strides[0];
  if (unit_cols && ld >= cols) return {data, rows, cols, ld};
  if (copy == nullptr) {
    invalid(std::string(fn) + ": " + a.name + " has element strides (" +
            std::to_string(a.strides[0]) + ", " + std::to_string(a.strides[1]) +
            "); it is written in place, so it must be row-major with unit column stride "
            "(a C-contiguous array or a block of rows/columns of one)");
  }
  copy->resize(static_cast<std::size_t>(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      (*copy)[static_cast<std::size_t>(i * cols + j)] = data[i * a.strides[0] + j * a.strides[1]];
  return {copy->data(), rows, cols, cols};
}

nb::object py_matmul(nb::handle a_, nb::handle b_, nb::handle out_, nb::handle backend, int threads,
                     nb::handle stats, bool verify) {
  constexpr const char* fn = "tandem.matmul";
  Call call(fn, backend, threads, stats, verify);
  const Array A = input(fn, "A", a_);
  const Array B = input(fn, "B", b_);
  require_same_dtype(fn, A, B);
  std::optional<Array> out;
  if (!out_.is_none()) {
    out = output(fn, "out", out_);
    require_same_dtype(fn, A, *out);
  }
  if (A.shape.size() == 2 && B.shape.size() == 2 && A.shape[1] != B.shape[0]) {
    invalid(std::string(fn) + ": A is " + std::to_string(A.shape[0]) + "x" +
            std::to_string(A.shape[1]) + " but B is " + std::to_string(B.shape[0]) + "x" +
            std::to_string(B.shape[1]) + " (A.shape[1] must equal B.shape[0])");
  }
  Block block;
  std::vector<std::int64_t> shape;
  visit(A.dtype, [&](auto t) {
    using T = decltype(t);
    std::vector<T> a_copy, b_copy;
    const tandem::MatrixView<const T> av = matrix_view<T>(fn, A, &a_copy);
    const tandem::MatrixView<const T> bv = matrix_view<T>(fn, B, &b_copy);
    if (out) {
      const tandem::MatrixView<T> cv = matrix_view<T>(fn, *out);
      nb::gil_scoped_release release;
      tandem::matmul(av, bv, cv, call.options);
      return;
    }
    shape = {av.rows, bv.cols};
    nb::gil_scoped_release release;
    allocate(fn, block, checked_bytes(fn, shape, sizeof(T)), shape);
    tandem::matmul(av, bv, tandem::MatrixView<T>(static_cast<T*>(block.data), av.rows, bv.cols),
                   call.options);
  });
  if (out) return call.finish(nb::borrow(out_));
  return call.finish(to_numpy(A.dtype, block, shape));
}

// ---------------------------------------------------------------------------------- grid
template <class T>
std::vector<T> axis_values(const char* fn, nb::handle h, tandem::DType dtype) {
  std::vector<T> v;
  InArray a;
  if (nb::try_cast(h, a, false)) {
    const Array arr = describe(fn, "an axis", h, a);
    if (arr.dtype != dtype) {
      invalid(std::string(fn) + ": an axis has dtype " + numpy_name(arr.dtype) + " but x has " +
              numpy_name(dtype) + " (they must match)");
    }
    if (arr.shape.size() != 1) {
      invalid(std::string(fn) + ": each axis must be 1-D, got shape " + shape_string(arr.shape));
    }
    const T* p = static_cast<const T*>(arr.data);
    for (std::int64_t i = 0; i < arr.size; ++i) v.push_back(p[i * arr.strides[0]]);
    return v;
  }
  if (nb::hasattr(h, "dtype")) not_an_array(fn, "an axis", h, false);
  if (!PySequence_Check(h.ptr()) || nb::isinstance<nb::str>(h)) {
    invalid(std::string(fn) + ": each axis must be an array or a sequence of numbers, not " +
            py_type_name(h));
  }
  nb::object seq = nb::borrow(h);
  for (nb::handle e : seq) v.push_back(to_element<T>(fn, "an axis", e));
  return v;
}

nb::object py_polynomial_grid(nb::handle params_, nb::handle x_, nb::handle out_, nb::handle axes_,
                              nb::handle backend, int threads, nb::handle stats, bool verify) {
  constexpr const char* fn = "tandem.polynomial_grid";
  Call call(fn, backend, threads, stats, verify);
  const bool cartesian = !axes_.is_none();
  if (cartesian) {
    // polynomial_grid(x, axes=[...]): the first positional argument is x.
    if (!params_.is_none() && !x_.is_none()) {
      invalid(std::string(fn) +
              ": with axes= the first argument is x and there is no table: "
              "polynomial_grid(x, axes=[...], out=None)");
    }
    if (x_.is_none()) x_ = params_;
  } else if (params_.is_none()) {
    invalid(std::string(fn) + ": give a parameter table (sets x coefficients) or axes=[...]");
  }
  if (x_.is_none()) invalid(std::string(fn) + ": x is missing");
  const Array x = input(fn, "x", x_);
  if (x.shape.size() != 1) {
    invalid(std::string(fn) + ": x must be 1-D, got shape " + shape_string(x.shape));
  }
  require_contiguous(fn, x);
  std::optional<Array> table;
  if (!cartesian) {
    table = input(fn, "params", params_);
    require_same_dtype(fn, x, *table);
  }
  std::optional<Array> out;
  if (!out_.is_none()) {
    out = output(fn, "out", out_);
    require_same_dtype(fn, x, *out);
  }
  Block block;
  std::vector<std::int64_t> shape;
  visit(x.dtype, [&](auto t) {
    using T = decltype(t);
    const std::span<const T> xs = x.span<T>();
    std::optional<tandem::CartesianGrid<T>> grid;
    std::vector<T> table_copy;
    tandem::MatrixView<const T> tv;
    std::int64_t sets = 0;
    if (cartesian) {
      if (!PySequence_Check(axes_.ptr()) || nb::isinstance<nb::str>(axes_)) {
        invalid(std::string(fn) + ": axes must be a sequence of axes (one per coefficient)");
      }
      std::vector<std::vector<T>> axes;
      for (nb::handle h : nb::borrow(axes_)) axes.push_back(axis_values<T>(fn, h, x.dtype));
      sets = axes.empty() ? 0 : 1;
      for (const auto& a : axes) {
        if (sets != 0 && static_cast<std::int64_t>(a.size()) > INT64_MAX / sets) {
          invalid(std::string(fn) + ": the grid has more than 2^63 parameter sets");
        }
        sets *= static_cast<std::int64_t>(a.size());
      }
      grid.emplace(std::move(axes));
    } else {
      tv = matrix_view<T>(fn, *table, &table_copy);
      sets = tv.rows;
    }
    if (out) {
      const tandem::MatrixView<T> ov = matrix_view<T>(fn, *out);
      nb::gil_scoped_release release;
      if (grid) {
        tandem::polynomial_grid(*grid, xs, ov, call.options);
      } else {
        tandem::polynomial_grid(tv, xs, ov, call.options);
      }
      return;
    }
    shape = {sets, x.size};
    nb::gil_scoped_release release;
    if (grid && grid->coefficients() == 0) {
      // Let the library report the empty grid before anything is allocated.
      tandem::polynomial_grid(*grid, xs, tandem::MatrixView<T>(nullptr, 0, x.size), call.options);
    }
    allocate(fn, block, checked_bytes(fn, shape, sizeof(T)), shape);
    const tandem::MatrixView<T> ov(static_cast<T*>(block.data), sets, x.size);
    if (grid) {
      tandem::polynomial_grid(*grid, xs, ov, call.options);
    } else {
      tandem::polynomial_grid(tv, xs, ov, call.options);
    }
  });
  if (out) return call.finish(nb::borrow(out_));
  return call.finish(to_numpy(x.dtype, block, shape));
}

// ---------------------------------------------------------------------------------- mse
void require_float(const char* fn, const Array& a) {
  if (a.dtype != tandem::DType::f32 && a.dtype != tandem::DType::f64) {
    invalid(std::string(fn) + ": " + a.name + " has dtype " + numpy_name(a.dtype) +
            "; mse computes in float32 or float64");
  }
}

nb::object py_mse(nb::handle a_, nb::handle b_, nb::handle backend, int threads, nb::handle stats,
                  bool verify) {
  constexpr const char* fn = "tandem.mse";
  Call call(fn, backend, threads, stats, verify);
  const Array a = input(fn, b_.is_none() ? "errors" : "a", a_);
  require_float(fn, a);
  require_contiguous(fn, a);
  double result = 0;
  if (b_.is_none()) {
    nb::gil_scoped_release release;
    if (a.dtype == tandem::DType::f32) {
      result = tandem::mse(std::span<const float>(a.span<float>()), call.options);
    } else {
      result = tandem::mse(std::span<const double>(a.span<double>()), call.options);
    }
  } else {
    const Array b = input(fn, "b", b_);
    require_same_dtype(fn, a, b);
    require_contiguous(fn, b);
    nb::gil_scoped_release release;
    if (a.dtype == tandem::DType::f32) {
      result = tandem::mse(std::span<const float>(a.span<float>()),
                           std::span<const float>(b.span<float>()), call.options);
    } else {
      result = tandem::mse(std::span<const double>(a.span<double>()),
                           std::span<const double>(b.span<double>()), call.options);
    }
  }
  return call.finish(nb::float_(result));
}

// ---------------------------------------------------------------------------------- reductions
#if TANDEM_PY_HAS_REDUCE
template <class R>
nb::object scalar_result(R v) {
  if constexpr (std::is_floating_point_v<R>) {
    return nb::float_(static_cast<double>(v));
  } else {
    return nb::int_(static_cast<std::int64_t>(v));
  }
}

template <class F>
nb::object reduction(const char* fn, nb::handle x_, nb::handle backend, int threads,
                     nb::handle stats, bool verify, F&& f) {
  Call call(fn, backend, threads, stats, verify);
  const Array x = input(fn, "x", x_);
  require_contiguous(fn, x);
  return visit(x.dtype, [&](auto t) {
    using T = decltype(t);
    const std::span<const T> xs = x.span<T>();
    decltype(f(xs, call.options)) r{};
    {
      nb::gil_scoped_release release;
      r = f(xs, call.options);
    }
    return call.finish(scalar_result(r));
  });
}

tandem::ReduceOp parse_reduce(const char* fn, std::string_view name) {
  if (name == "sum") return tandem::ReduceOp::sum();
  if (name == "min") return tandem::ReduceOp::min();
  if (name == "max") return tandem::ReduceOp::max();
  invalid(std::string(fn) + ": unknown reduce " + text_of(nb::str(name.data(), name.size()), true) +
          " (valid: sum, min, max)");
}
#endif

#if TANDEM_PY_HAS_SORT
nb::object py_sort(nb::handle x_, nb::handle backend, int threads, nb::handle stats, bool verify) {
  constexpr const char* fn = "tandem.sort";
  Call call(fn, backend, threads, stats, verify);
  const Array x = output(fn, "x", x_);
  require_contiguous(fn, x);
  {
    nb::gil_scoped_release release;
    visit(x.dtype, [&](auto t) {
      using T = decltype(t);
      tandem::sort(x.span<T>(), call.options);
    });
  }
  return call.finish(nb::borrow(x_));
}
#endif

#if TANDEM_PY_HAS_WORD_COUNT
nb::object py_word_count(nb::handle text, nb::handle backend, int threads, nb::handle stats,
                         bool verify) {
  constexpr const char* fn = "tandem.word_count";
  Call call(fn, backend, threads, stats, verify);
  std::string_view view;
  nb::object keep;  // what `view` points into
  if (nb::isinstance<nb::str>(text)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(text.ptr(), &n);
    if (p == nullptr) throw nb::python_error();
    view = std::string_view(p, static_cast<std::size_t>(n));
  } else if (nb::isinstance<nb::bytes>(text)) {
    view = std::string_view(PyBytes_AS_STRING(text.ptr()),
                            static_cast<std::size_t>(PyBytes_GET_SIZE(text.ptr())));
  } else {
    invalid(std::string(fn) + ": text must be str or bytes, not " + py_type_name(text));
  }
  std::vector<tandem::WordCount> counts;
  {
    nb::gil_scoped_release release;
    counts = tandem::word_count(view, call.options);
  }
  nb::list result;
  const bool as_bytes = nb::isinstance<nb::bytes>(text);
  for (const auto& wc : counts) {
    nb::object word =
        as_bytes
            ? nb::object(nb::bytes(wc.word.data(), wc.word.size()))
            : nb::object(nb::steal(PyUnicode_DecodeUTF8(
                  wc.word.data(), static_cast<Py_ssize_t>(wc.word.size()), "surrogateescape")));
    if (!word.is_valid()) throw nb::python_error();
    result.append(nb::make_tuple(word, wc.count));
  }
  return call.finish(result);
}
#endif

}  // namespace

NB_MODULE(_tandem, m) {
  m.doc() = "tandem: the same compute workloads on CPU cores or GPUs, backend chosen at run time";
  init_errors(m);
  m.attr("__version__") = TANDEM_VERSION_STRING;

  nb::class_<tandem::Stats>(m, "Stats",
                            "Which backend ran a call, why, and where the time went. Pass "
                            "stats=True to get (result, Stats), or stats=a Stats to fill it.")
      .def(nb::init<>())
      .def_prop_ro("backend",
                   [](const tandem::Stats& s) { return std::string(tandem::to_string(s.backend)); })
      .def_prop_ro(
          "requested",
          [](const tandem::Stats& s) { return std::string(tandem::to_string(s.requested)); })
      .def_ro("threads", &tandem::Stats::threads)
      .def_ro("seconds", &tandem::Stats::seconds)
      .def_ro("allocation_seconds", &tandem::Stats::allocation_seconds)
      .def_ro("host_to_device_seconds", &tandem::Stats::host_to_device_seconds)
      .def_ro("compute_seconds", &tandem::Stats::compute_seconds)
      .def_ro("device_to_host_seconds", &tandem::Stats::device_to_host_seconds)
      .def_ro("reason", &tandem::Stats::reason)
      .def_ro("verified", &tandem::Stats::verified)
      .def("__repr__", [](const tandem::Stats& s) {
        return "tandem.Stats(backend='" + std::string(tandem::to_string(s.backend)) +
               "', threads=" + std::to_string(s.threads) +
               ", seconds=" + text_of(nb::float_(s.seconds)) +
               ", reason=" + text_of(nb::str(s.reason.data(), s.reason.size()), true) + ")";
      });

  m.def("available_backends", &available_backends,
        "The backends that can run here (never 'automatic'), serial first.");
  m.def("backend_info", &backend_info, "name"_a,
        "A dict: name, available, reason (why not), threads, device.");
  m.def(
      "set_default_backend",
      [](std::string_view name) { tandem::set_default_backend(tandem::parse_backend(name)); },
      "name"_a, "Process-wide default for calls without backend=.");
  m.def("reset_default_backend", &tandem::reset_default_backend,
        "Forget set_default_backend(): TANDEM_BACKEND, then automatic.");
  m.def(
      "default_backend", [] { return std::string(tandem::to_string(tandem::default_backend())); },
      "What a call without backend= asks for now.");

  m.def("map", &py_map, "x"_a, "op"_a, "params"_a, "out"_a = nb::none(), "backend"_a = nb::none(),
        "threads"_a = 0, "stats"_a = nb::none(), "verify"_a = false);
  m.def("matmul", &py_matmul, "A"_a, "B"_a, "out"_a = nb::none(), nb::kw_only(),
        "backend"_a = nb::none(), "threads"_a = 0, "stats"_a = nb::none(), "verify"_a = false);
  m.def("polynomial_grid", &py_polynomial_grid, "params"_a = nb::none(), "x"_a = nb::none(),
        "out"_a = nb::none(), nb::kw_only(), "axes"_a = nb::none(), "backend"_a = nb::none(),
        "threads"_a = 0, "stats"_a = nb::none(), "verify"_a = false);
  m.def("mse", &py_mse, "a"_a, "b"_a = nb::none(), nb::kw_only(), "backend"_a = nb::none(),
        "threads"_a = 0, "stats"_a = nb::none(), "verify"_a = false);

#if TANDEM_PY_HAS_REDUCE
#define TANDEM_PY_REDUCTION_(NAME)                                                               \
  m.def(                                                                                         \
      #NAME,                                                                                     \
      [](nb::handle x, nb::handle backend, int threads, nb::handle stats, bool verify) {         \
        return reduction("tandem." #NAME, x, backend, threads, stats, verify,                    \
                         [](auto xs, const tandem::Options& o) { return tandem::NAME(xs, o); }); \
      },                                                                                         \
      "x"_a, nb::kw_only(), "backend"_a = nb::none(), "threads"_a = 0, "stats"_a = nb::none(),   \
      "verify"_a = false);
  TANDEM_PY_REDUCTION_(sum)
  TANDEM_PY_REDUCTION_(mean)
  TANDEM_PY_REDUCTION_(min)
  TANDEM_PY_REDUCTION_(max)
#undef TANDEM_PY_REDUCTION_
  m.def(
      "map_reduce",
      [](nb::handle x, std::string_view op_name, std::string_view reduce, nb::args params,
         nb::handle backend, int threads, nb::handle stats, bool verify) {
        constexpr const char* fn = "tandem.map_reduce";
        const tandem::MapOp op = parse_op(fn, op_name, op_params(fn, params));
        const tandem::ReduceOp r = parse_reduce(fn, reduce);
        return reduction(
            fn, x, backend, threads, stats, verify,
            [&](auto xs, const tandem::Options& o) { return tandem::map_reduce(xs, op, r, o); });
      },
      "x"_a, "op"_a, "reduce"_a, "params"_a, "backend"_a = nb::none(), "threads"_a = 0,
      "stats"_a = nb::none(), "verify"_a = false);
#endif
#if TANDEM_PY_HAS_SORT
  m.def("sort", &py_sort, "x"_a, nb::kw_only(), "backend"_a = nb::none(), "threads"_a = 0,
        "stats"_a = nb::none(), "verify"_a = false);
#endif
#if TANDEM_PY_HAS_WORD_COUNT
  m.def("word_count", &py_word_count, "text"_a, nb::kw_only(), "backend"_a = nb::none(),
        "threads"_a = 0, "stats"_a = nb::none(), "verify"_a = false);
#endif
}
