// libFuzzer target: the command line of the `tandem` tool, parsed only (no command runs). The
// input is split into arguments at NUL bytes (as an argument can hold none). Invariants: no crash,
// no sanitizer report, no exception; the outcome is exactly one of a usage error (one line of
// printable ASCII), a help text, or a command whose every value is inside its documented range.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "args.hpp"

namespace {

[[noreturn]] void broken(const char* what, int line) {
  std::fprintf(stderr, "tandem fuzz_cli: invariant broken at line %d: %s\n", line, what);
  std::abort();
}
#define CHECK(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

bool printable_line(const std::string& s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

void check_spec(const tandem_cli::Spec& s) {
  using tandem::Workload;
  CHECK(s.n >= 1);
  CHECK(s.nx >= 1 && s.nx <= tandem_cli::kMaxNx);
  CHECK(s.ncoef >= 1 && s.ncoef <= tandem_cli::kMaxNcoef);
  switch (s.workload) {
    case Workload::matmul:
      CHECK(s.n <= tandem_cli::kMaxMatmulN);
      break;
    case Workload::polynomial_grid:
      CHECK(s.n <= tandem_cli::kMaxElements / s.nx);
      break;
    case Workload::mse:
      CHECK(s.dtype == tandem::DType::f32 || s.dtype == tandem::DType::f64);
      CHECK(s.n <= tandem_cli::kMaxElements);
      break;
    case Workload::map:
    case Workload::map_reduce:
    case Workload::sort:
      CHECK(s.n <= tandem_cli::kMaxElements);
      break;
    case Workload::word_count:  // bytes of text; its one dtype is f64
      CHECK(s.dtype == tandem::DType::f64);
      CHECK(s.n <= tandem_cli::kMaxElements);
      break;
    default:
      CHECK(false && "workload is no enumerator");
  }
  const int d = static_cast<int>(s.dtype);
  CHECK(d >= 0 && d <= 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Every NUL ends an argument; bytes after the last NUL are one more (so "" is no argument,
  // "\0" one empty argument, "a\0b" two).
  std::vector<std::string> args;
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty()) args.push_back(current);

  tandem_cli::Command c;
  try {
    c = tandem_cli::parse(args);
  } catch (...) {
    broken("parse threw", __LINE__);
  }

  if (!c.error.empty()) {  // a usage error: one printable line, nothing else decided
    CHECK(printable_line(c.error));
    CHECK(c.error.size() < 1024);
    CHECK(c.name.empty() || printable_line(c.name));
    return 0;
  }
  if (args.empty()) CHECK(c.verb == tandem_cli::Verb::help && c.help_status == 2);
  switch (c.verb) {
    case tandem_cli::Verb::help:
      CHECK(!c.help.empty() && c.help.rfind("usage: tandem", 0) == 0);
      CHECK(c.help_status == 0 || c.help_status == 2);
      break;
    case tandem_cli::Verb::version:
      CHECK(args.size() == 1);
      break;
    case tandem_cli::Verb::info:
      CHECK(args[0] == "info");
      break;
    case tandem_cli::Verb::run:
      CHECK(args[0] == "run");
      check_spec(c.run.spec);
      CHECK(c.run.repeat >= 1 && c.run.repeat <= tandem_cli::kMaxRepeat);
      CHECK(c.run.threads >= 0 && c.run.threads <= tandem::max_threads);
      if (c.run.backend) {
        const int b = static_cast<int>(*c.run.backend);
        CHECK(b >= 0 && b <= 3);
      }
      break;
    case tandem_cli::Verb::plan:
      CHECK(args[0] == "plan");
      check_spec(c.plan.spec);
      break;
    case tandem_cli::Verb::calibrate:
    case tandem_cli::Verb::bench:
      CHECK(args[0] == "calibrate" || args[0] == "bench");
      if (c.measure.out) CHECK(!c.measure.out->empty());
      break;
    default:
      CHECK(false && "verb is no enumerator");
  }
  return 0;
}
