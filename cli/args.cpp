#include "args.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "checks/escape.hpp"

namespace tandem_cli {
namespace {

constexpr const char* kMainHelp = R"(usage: tandem <command> [options]

The same compute workloads on CPU cores or GPUs, backend chosen at run time.

commands:
  info        build options, backends available (and why not), threads, GPU, profile in use
  run         run one call and print its result checksum, time and time breakdown
  plan        the cost model's predicted time per backend and what automatic picks
  calibrate   measure this machine and save the profile automatic uses
  bench       the comparative benchmark and its report (scripts/bench.sh of the source tree)

Run 'tandem <command> --help' (or 'tandem help <command>') for a command's options.
Exit status: 0 success, 1 the library or the system refused (message on stderr), 2 usage error.
)";

constexpr const char* kInfoHelp = R"(usage: tandem info

Prints tandem's version and build options, every backend with its availability (or why it is
unavailable), threads and device, the machine key, and the profile automatic uses.
)";

constexpr const char* kRunHelp =
    R"(usage: tandem run <workload> [--n N] [--backend B] [--dtype D] [--threads T]
                            [--repeat R] [--nx X] [--ncoef C] [--verify]

Runs one call R times on generated data and prints the checksum of its result, the median
time and its breakdown (allocation, host to device, compute, device to host).

@WORKLOADS@  --n N         problem size, from 1 to the workload's largest (default: the workload's)
  --backend B   serial, openmp, cuda or automatic (default: as a call without options)
  --dtype D     f32, f64, i32 or i64, as the workload takes (default f64)
  --threads T   OpenMP threads, 0 to 4096 (0 = OpenMP's default)
  --repeat R    calls to time, 1 to 100000 (default 5); the first call's one-time costs are
                included in none
  --nx X        x points of a grid (the workloads with N x X), 1 to 2^20 (default 50)
  --ncoef C     coefficients per polynomial of a grid, 1 to 64 (default 4)
  --verify      also run every call on serial and compare within the workload's bound
                (Options::verify; TANDEM_VERIFY=1 does the same); a mismatch is an error

Numbers are decimal. Data that does not fit in this machine's memory is refused (exit 1).
)";

constexpr const char* kPlanHelp =
    R"(usage: tandem plan <workload> --n N [--dtype D] [--device] [--nx X] [--ncoef C]

Prints the cost model's predicted time on every backend (overhead, compute, transfer), which
backends are unavailable and why, and the one automatic picks. Sizes as for 'tandem run';
--device predicts for operands already in GPU memory (only cuda can run those).
)";

constexpr const char* kCalibrateHelp = R"(usage: tandem calibrate [--quick | --full] [--out FILE]

Measures every available backend on every workload and dtype (warm-up, batched medians,
outlier rejection, a check of each fit), prints the fitted coefficients and saves the profile
that automatic loads: FILE, else $TANDEM_PROFILE, else the default path under
$XDG_CACHE_HOME/tandem (or ~/.cache/tandem). --quick (default) takes under a minute on 2 cores;
--full measures more sizes with longer batches. The path is checked before measuring: it must
not be empty, and if it exists it must be a regular file (not a link, directory or device).
)";

constexpr const char* kBenchHelp = R"(usage: tandem bench [--quick | --full] [--out DIR]

Runs the comparative benchmark: scripts/bench.sh of the source tree this tandem was built from
(it builds the bench preset, calibrates into DIR/profile.json unless TANDEM_PROFILE is set,
runs every workload and backend, automatic with the profile and with the built-in defaults,
the notebooks side by side, and writes DIR/report.md). Default: --quick --out build/report.
)";

/// A power of two from 2^10 up as 2^k, other numbers in decimal.
std::string size_text(std::int64_t v) {
  if (v >= 1024 && (v & (v - 1)) == 0)
    return "2^" + std::to_string(std::countr_zero(static_cast<std::uint64_t>(v)));
  return std::to_string(v);
}

/// kRunHelp with its workload table generated from the list (tandem::cli_defaults).
std::string run_help() {
  std::string table = "  workload      one of (default N, largest N; dtypes):\n";
  for (tandem::Workload w : tandem::kAllWorkloads) {
    const tandem::WorkloadCli cli = tandem::cli_defaults(w);
    std::string name(tandem::to_string(w));
    name.resize(std::max<std::size_t>(name.size() + 1, 17), ' ');
    std::string dtypes;
    for (tandem::DType d :
         {tandem::DType::f32, tandem::DType::f64, tandem::DType::i32, tandem::DType::i64}) {
      if (tandem::has_dtype(w, d)) dtypes += " " + std::string(tandem::to_string(d));
    }
    table += "                  " + name + cli.summary + "\n                  " +
             std::string(17, ' ') + "(" + size_text(cli.default_n) + ", " + size_text(cli.max_n) +
             (cli.n_times_nx ? ", N x X at most 2^40" : "") + ";" + dtypes + ")\n";
  }
  std::string help = kRunHelp;
  help.replace(help.find("@WORKLOADS@"), 11, table);
  return help;
}

struct Entry {
  const char* name;
  Verb verb;
  std::string (*help)();
};
constexpr std::array<Entry, 5> kCommands{
    {{"info", Verb::info, [] { return std::string(kInfoHelp); }},
     {"run", Verb::run, run_help},
     {"plan", Verb::plan, [] { return std::string(kPlanHelp); }},
     {"calibrate", Verb::calibrate, [] { return std::string(kCalibrateHelp); }},
     {"bench", Verb::bench, [] { return std::string(kBenchHelp); }}}};

const Entry* find_command(std::string_view name) {
  for (const Entry& e : kCommands) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

/// A usage error: thrown inside the parser only, returned as Command::error.
struct Usage {
  std::string message;
};

/// User text in a message: quoted, escaped, and cut after 64 bytes.
std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 64;
  if (text.size() <= kMax) return "'" + printable(text) + "'";
  return "'" + printable(text.substr(0, kMax)) + "'...";
}

/// A decimal integer from lo to hi: digits only (no sign, no base prefix, no spaces, not empty).
/// Leading zeros are decimal too: "010" is ten.
std::int64_t decimal(std::string_view option, std::string_view text, std::int64_t lo,
                     std::int64_t hi) {
  const auto fail = [&]() -> Usage {
    return Usage{std::string(option) + " must be a decimal integer from " + std::to_string(lo) +
                 " to " + std::to_string(hi) + ", not " + quote(text)};
  };
  if (text.empty()) throw fail();
  std::int64_t v = 0;
  bool over = false;
  for (const char c : text) {
    if (c < '0' || c > '9') throw fail();
    if (!over) {
      v = v * 10 + (c - '0');  // v <= hi < 2^62 before this step, so no overflow
      over = v > hi;
    }
  }
  if (over || v < lo) throw fail();
  return v;
}

tandem::DType parse_dtype(std::string_view s) {
  std::string valid;
#define TANDEM_CLI_PARSE_DTYPE_(T, name)                                       \
  if (tandem::to_string(tandem::DType::name) == s) return tandem::DType::name; \
  valid += (valid.empty() ? "" : ", ") + std::string(#name);
  TANDEM_FOR_EACH_DTYPE(TANDEM_CLI_PARSE_DTYPE_)
#undef TANDEM_CLI_PARSE_DTYPE_
  throw Usage{quote(s) + " is not a dtype (valid: " + valid + ")"};
}

/// "a, b, c": every workload's name.
std::string workload_names() {
  std::string names;
  for (tandem::Workload w : tandem::kAllWorkloads) {
    names += (names.empty() ? "" : ", ") + std::string(tandem::to_string(w));
  }
  return names;
}

/// "f32 or f64": the dtypes a workload has.
std::string dtype_names(tandem::Workload w) {
  std::vector<std::string> names;
#define TANDEM_CLI_DTYPE_(T, name) \
  if (tandem::has_dtype(w, tandem::DType::name)) names.emplace_back(#name);
  TANDEM_FOR_EACH_DTYPE(TANDEM_CLI_DTYPE_)
#undef TANDEM_CLI_DTYPE_
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return text;
}

tandem::Workload parse_workload(std::string_view s) {
  try {
    return tandem::parse_workload(s);
  } catch (const tandem::invalid_argument&) {
    throw Usage{"unknown workload " + quote(s) + " (valid: " + workload_names() + ")"};
  }
}

tandem::Backend parse_backend(std::string_view s) {
  try {
    return tandem::parse_backend(s);
  } catch (const tandem::invalid_argument&) {
    throw Usage{"unknown backend " + quote(s) + " (valid: serial, openmp, cuda, automatic)"};
  }
}

/// Options are read as text and converted here (CLI11's own conversion accepts octal, hex and
/// signs): an empty optional is an option not given.
using Text = std::optional<std::string>;

/// A CLI11 parser for one command: --help and -h (the help texts above are printed instead of
/// CLI11's), no extra arguments, no Windows-style /options.
void configure(CLI::App& app) {
  app.set_help_flag("-h,--help");
  app.allow_extras(false);
  app.allow_windows_style_options(false);
}

void text_option(CLI::App& app, const char* name, Text& target, const char* type) {
  app.add_option_function<std::string>(
         name, [&target](const std::string& v) { target = v; }, "")
      ->type_name(type)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // given twice: the last counts
}

/// The workload positional and the size options of run and plan.
struct SpecText {
  Text workload, n, dtype, nx, ncoef;
  void add(CLI::App& app) {
    text_option(app, "workload", workload, "WORKLOAD");
    text_option(app, "--n", n, "N");
    text_option(app, "--dtype", dtype, "D");
    text_option(app, "--nx", nx, "X");
    text_option(app, "--ncoef", ncoef, "C");
  }
  Spec to_spec(bool need_n) const {
    if (!workload) throw Usage{"name a workload (" + workload_names() + ")"};
    Spec s;
    s.workload = parse_workload(*workload);
    if (dtype) s.dtype = parse_dtype(*dtype);
    if (!tandem::has_dtype(s.workload, s.dtype)) {
      throw Usage{std::string(tandem::to_string(s.workload)) + " takes " + dtype_names(s.workload)};
    }
    if (nx) s.nx = decimal("--nx", *nx, 1, kMaxNx);
    if (ncoef) s.ncoef = decimal("--ncoef", *ncoef, 1, kMaxNcoef);
    if (need_n && !n) throw Usage{"--n is required"};
    const tandem::WorkloadCli cli = tandem::cli_defaults(s.workload);
    s.n = n ? decimal("--n", *n, 1, cli.max_n) : cli.default_n;
    if (cli.n_times_nx && s.n > kMaxElements / s.nx) {
      throw Usage{"--n times --nx must be at most " + std::to_string(kMaxElements) + " for " +
                  std::string(tandem::to_string(s.workload)) + " (here " + std::to_string(s.n) +
                  " x " + std::to_string(s.nx) + ")"};
    }
    return s;
  }
};

/// `app` run on args (in order); CLI11 wants them reversed.
void run_cli11(CLI::App& app, const std::vector<std::string>& args, std::size_t from) {
  std::vector<std::string> rest(args.rbegin(), args.rend() - static_cast<std::ptrdiff_t>(from));
  try {
    app.parse(rest);
  } catch (const CLI::CallForHelp&) {
    throw;
  } catch (const CLI::ExtrasError&) {
    const std::vector<std::string> extra = app.remaining();
    const std::string first = extra.empty() ? std::string() : extra.front();
    if (!first.empty() && first.front() == '-') throw Usage{"unknown option " + quote(first)};
    throw Usage{"unexpected argument " + quote(first)};
  } catch (const CLI::ArgumentMismatch& e) {
    // CLI11 says "--n: 1 required N missing" and "device was given a disallowed flag override".
    const std::string what = e.what();
    const std::string name = what.substr(0, what.find(':'));
    if (what.ends_with(" missing") && name.starts_with("--")) {
      throw Usage{printable(name) + " needs a value"};
    }
    if (what.ends_with(" was given a disallowed flag override")) {
      const std::string flag = what.substr(0, what.find(' '));
      throw Usage{(flag.starts_with("-") ? "" : "--") + printable(flag) + " takes no value"};
    }
    throw Usage{printable(what)};
  } catch (const CLI::ParseError& e) {
    throw Usage{printable(e.what())};
  }
}

void parse_run(Command& c, const std::vector<std::string>& args) {
  CLI::App app{"", "tandem run"};
  configure(app);
  SpecText spec;
  spec.add(app);
  Text backend, threads, repeat;
  text_option(app, "--backend", backend, "B");
  text_option(app, "--threads", threads, "T");
  text_option(app, "--repeat", repeat, "R");
  app.add_flag("--verify", c.run.verify)->disable_flag_override();
  run_cli11(app, args, 1);
  c.run.spec = spec.to_spec(false);
  if (backend) c.run.backend = parse_backend(*backend);
  if (threads)
    c.run.threads = static_cast<int>(decimal("--threads", *threads, 0, tandem::max_threads));
  if (repeat) c.run.repeat = static_cast<int>(decimal("--repeat", *repeat, 1, kMaxRepeat));
}

void parse_plan(Command& c, const std::vector<std::string>& args) {
  CLI::App app{"", "tandem plan"};
  configure(app);
  SpecText spec;
  spec.add(app);
  app.add_flag("--device", c.plan.device)->disable_flag_override();
  run_cli11(app, args, 1);
  c.plan.spec = spec.to_spec(true);
}

void parse_measure(Command& c, const std::vector<std::string>& args, const char* what) {
  CLI::App app{"", "tandem " + c.name};
  configure(app);
  bool quick = false, full = false;
  app.add_flag("--quick", quick)->disable_flag_override();
  app.add_flag("--full", full)->disable_flag_override();
  Text out;
  text_option(app, "--out", out, what);
  run_cli11(app, args, 1);
  if (quick && full) throw Usage{"--quick or --full, not both"};
  c.measure.quick = !full;
  if (out) {
    if (out->empty()) throw Usage{std::string("--out needs a ") + what + " (it is empty)"};
    c.measure.out = *out;
  }
}

}  // namespace

std::string printable(std::string_view text) { return tandem::detail::escape_printable(text); }

std::string one_line(std::string_view text) { return tandem::detail::escape_controls(text); }

Command parse(const std::vector<std::string>& args) {
  Command c;
  if (args.empty()) {
    c.help = kMainHelp;
    c.help_status = 2;
    return c;
  }
  const std::string& first = args[0];
  try {
    if (first == "help" || first == "--help" || first == "-h") {
      c.help = kMainHelp;
      if (first == "help" && args.size() > 1) {
        const Entry* e = find_command(args[1]);
        if (e == nullptr) throw Usage{"help: unknown command " + quote(args[1])};
        if (args.size() > 2) throw Usage{"help takes one command"};
        c.help = e->help();
      }
      return c;
    }
    if (first == "--version") {
      if (args.size() > 1) throw Usage{"--version takes no arguments"};
      c.verb = Verb::version;
      return c;
    }
    const Entry* e = find_command(first);
    if (e == nullptr) {
      throw Usage{std::string(first.empty() || first.front() != '-' ? "unknown command "
                                                                    : "unknown option ") +
                  quote(first) + " (see tandem --help)"};
    }
    c.name = e->name;
    c.verb = e->verb;
    try {
      switch (e->verb) {
        case Verb::info: {
          CLI::App app{"", "tandem info"};
          configure(app);
          run_cli11(app, args, 1);
          break;
        }
        case Verb::run:
          parse_run(c, args);
          break;
        case Verb::plan:
          parse_plan(c, args);
          break;
        case Verb::calibrate:
          parse_measure(c, args, "FILE");
          break;
        case Verb::bench:
          parse_measure(c, args, "DIR");
          break;
        case Verb::help:
        case Verb::version:
          break;
      }
    } catch (const CLI::CallForHelp&) {
      c.verb = Verb::help;
      c.help = e->help();
      c.help_status = 0;
    }
  } catch (const Usage& u) {
    c.error = u.message.empty() ? std::string("bad command line") : u.message;
  }
  return c;
}

}  // namespace tandem_cli
