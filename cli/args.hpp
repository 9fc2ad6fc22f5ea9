#pragma once
// The command line of `tandem`, parsed into a Command, without running anything (the tool and
// the fuzz target fuzz/fuzz_cli.cpp share this). Parsing never allocates in proportion to a
// value given on the command line, never throws for bad input (it returns a usage error), and
// echoes user text only through printable().
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/tandem.hpp"

namespace tandem_cli {

/// `text` for a message: bytes outside printable ASCII, and the backslash, as \xNN, so a NUL, a
/// newline or an escape sequence in user text cannot cut a line or reach the terminal.
std::string printable(std::string_view text);

/// A message that must stay one line (the library's own what(), which already escapes user text):
/// control bytes as \xNN, everything else as is.
std::string one_line(std::string_view text);

/// The accepted ranges (inclusive). n, nx and ncoef bound what `run` allocates before any call
/// checks it; the largest data set within them is refused by the memory check of `run`.
inline constexpr std::int64_t kMaxRepeat = 100000;
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;  ///< per array (--n, n*nx)
inline constexpr std::int64_t kMaxMatmulN = std::int64_t{1} << 20;   ///< matrices of n*n
inline constexpr std::int64_t kMaxNx = std::int64_t{1} << 20;
inline constexpr std::int64_t kMaxNcoef = 64;

enum class Verb { help, version, info, run, plan, calibrate, bench };

/// The workload, size and dtype of run and plan.
struct Spec {
  tandem::Workload workload{};
  tandem::DType dtype = tandem::DType::f64;
  std::int64_t n = 0, nx = 50, ncoef = 4;
};

/// `tandem run`: what to call and how. A new option of the call is one field here, one line in
/// the parser (args.cpp, parse_run) and one in options_of (main.cpp).
struct RunArgs {
  Spec spec;
  std::optional<tandem::Backend> backend;  ///< unset: as a call without options
  int threads = 0;
  int repeat = 5;
  bool verify = false;  ///< Options::verify
};

struct PlanArgs {
  Spec spec;
  bool device = false;
};

/// calibrate and bench.
struct MeasureArgs {
  bool quick = true;
  std::optional<std::string> out;  ///< never empty when set
};

/// A parsed command line, or a usage error.
struct Command {
  Verb verb = Verb::help;
  /// Verb::help: the text to print on stdout, and the exit status (0 when asked for, 2 when the
  /// command line was empty).
  std::string help;
  int help_status = 0;
  RunArgs run;
  PlanArgs plan;
  MeasureArgs measure;
  /// Non-empty: a usage error, one line of printable text (exit 2).
  std::string error;
  /// The command word for messages ("run"), empty before one is known.
  std::string name;
};

/// Parses the arguments after the program name.
Command parse(const std::vector<std::string>& args);

}  // namespace tandem_cli
