// libFuzzer target: backend names, Backend values, the process default and TANDEM_BACKEND.
//  - parse_backend on any bytes: a backend exactly when the trimmed text is a name in any case,
//    else tandem::invalid_argument listing the valid names;
//  - any int cast to Backend in set_default_backend, backend_info and Options::backend: the
//    enumerators work as documented, every other value is tandem::invalid_argument;
//  - TANDEM_BACKEND is read once per process, so a value is tried in a child process (this
//    binary again, started with TANDEM_FUZZ_ENV_CHILD=1, which checks and exits before
//    fuzzing); one input in 16 does, to keep the execution rate up.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <string>

#include "fuzz_common.hpp"

extern char** environ;

using namespace tandem_fuzz;

namespace {

constexpr const char* kNames[] = {"serial", "openmp", "cuda", "automatic"};

// The documented rule, recomputed: trim blanks, compare case-insensitively.
std::optional<tandem::Backend> expected_parse(std::string s) {
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && blank(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && blank(static_cast<unsigned char>(s.back()))) s.pop_back();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int b = 0; b < 4; ++b) {
    if (s == kNames[b]) return static_cast<tandem::Backend>(b);
  }
  return std::nullopt;
}

// Child: TANDEM_BACKEND holds the value under test. Exit codes: 10 + backend when the default
// is that backend and a call without Options::backend runs on it (or says cuda is
// unavailable), 20 when the value is rejected as documented, 1 otherwise.
int child_main() {
  const char* v = std::getenv("TANDEM_BACKEND");
  const std::string value = v != nullptr ? v : "";
  const std::vector<double> e{1.5, -2.0, 3.25};
  try {
    const tandem::Backend b = tandem::default_backend();
    tandem::Stats stats;
    try {
      (void)tandem::mse(std::span<const double>(e), {.stats = &stats});
      if (b != tandem::Backend::automatic && stats.backend != b) return 1;
    } catch (const tandem::backend_unavailable&) {
      if (tandem::backend_info(b).available) return 1;
    }
    return 10 + static_cast<int>(b);
  } catch (const tandem::invalid_argument& err) {
    const std::string what = err.what();
    const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
      return c >= 0x20 && c < 0x7f && c != '\\';
    });
    const std::string quoted = plain ? "TANDEM_BACKEND='" + value + "'" : "TANDEM_BACKEND='";
    if (what.find(quoted) == std::string::npos) return 1;
    if (what.find("valid: serial, openmp, cuda, automatic") == std::string::npos) return 1;
    return 20;
  } catch (...) {
    return 1;
  }
}

int run_child(const std::string& value) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "TANDEM_BACKEND=", 15) != 0 &&
        std::strncmp(*e, "TANDEM_FUZZ_ENV_CHILD=", 22) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  env_strings.push_back("TANDEM_BACKEND=" + value);
  env_strings.push_back("TANDEM_FUZZ_ENV_CHILD=1");
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  char self[] = "/proc/self/exe";
  char* argv[] = {self, nullptr};
  pid_t pid = 0;
  TANDEM_FUZZ_CHECK(posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, envp.data()) == 0);
  int status = 0;
  pid_t waited = 0;
  do {  // libFuzzer's -timeout alarm interrupts the wait
    waited = waitpid(pid, &status, 0);
  } while (waited == -1 && errno == EINTR);
  TANDEM_FUZZ_CHECK(waited == pid);
  TANDEM_FUZZ_CHECK(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* c = std::getenv("TANDEM_FUZZ_ENV_CHILD"); c != nullptr && *c == '1') {
    std::_Exit(child_main());
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int what = fdp.ConsumeIntegralInRange<int>(0, 15);
  if (what == 0) {  // TANDEM_BACKEND in a child process
    std::string value = fdp.ConsumeRandomLengthString(64);
    value.erase(std::remove(value.begin(), value.end(), '\0'), value.end());
    const int code = run_child(value);
    const auto want = expected_parse(value);
    if (value.empty()) {
      TANDEM_FUZZ_CHECK(code == 10 + static_cast<int>(tandem::Backend::automatic));
    } else if (want) {
      TANDEM_FUZZ_CHECK(code == 10 + static_cast<int>(*want));
    } else {
      TANDEM_FUZZ_CHECK(code == 20);
    }
    return 0;
  }
  if (what < 8) {  // parse_backend on any bytes
    const std::string name = fdp.ConsumeRandomLengthString(64);
    const auto want = expected_parse(name);
    try {
      const tandem::Backend b = tandem::parse_backend(name);
      TANDEM_FUZZ_CHECK(want && *want == b);
      TANDEM_FUZZ_CHECK(tandem::parse_backend(tandem::to_string(b)) == b);
    } catch (const tandem::invalid_argument& e) {
      TANDEM_FUZZ_CHECK(!want);
      TANDEM_FUZZ_CHECK(std::string(e.what()).find("valid: serial, openmp, cuda, automatic") !=
                        std::string::npos);
    }
    return 0;
  }
  // Backend values, cast from any int, through every place that takes one.
  const int raw = fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange<int>(-1, 5)
                                    : fdp.ConsumeIntegral<int>();
  const auto b = static_cast<tandem::Backend>(raw);
  const bool enumerator = raw >= 0 && raw <= 3;
  const Outcome info = outcome_of([&] { (void)tandem::backend_info(b); });
  TANDEM_FUZZ_CHECK(info == (enumerator ? Outcome::ok : Outcome::invalid_argument));
  const Outcome set = outcome_of([&] { tandem::set_default_backend(b); });
  if (!enumerator) {
    TANDEM_FUZZ_CHECK(set == Outcome::invalid_argument);
  } else if (b == tandem::Backend::automatic || tandem::backend_info(b).available) {
    TANDEM_FUZZ_CHECK(set == Outcome::ok);
    TANDEM_FUZZ_CHECK(tandem::default_backend() == b);
  } else {
    TANDEM_FUZZ_CHECK(set == Outcome::backend_unavailable);
  }
  // A call without Options::backend follows the default; one with a cast value is checked.
  const std::vector<double> e{0.5, 1.5, -2.5};
  tandem::Stats stats = marked_stats();
  tandem::Options options;
  options.stats = &stats;
  if (fdp.ConsumeBool()) options.backend = b;
  const Outcome call = outcome_of([&] { (void)tandem::mse(std::span<const double>(e), options); });
  const tandem::Backend asked = options.backend.value_or(tandem::default_backend());
  if (options.backend && !enumerator) {
    TANDEM_FUZZ_CHECK(call == Outcome::invalid_argument);
  } else if (asked == tandem::Backend::automatic || tandem::backend_info(asked).available) {
    TANDEM_FUZZ_CHECK(call == Outcome::ok);
    if (asked != tandem::Backend::automatic) TANDEM_FUZZ_CHECK(stats.backend == asked);
  } else {
    TANDEM_FUZZ_CHECK(call == Outcome::backend_unavailable);
  }
  tandem::reset_default_backend();
  TANDEM_FUZZ_CHECK(tandem::default_backend() == tandem::Backend::automatic);
  return 0;
}
