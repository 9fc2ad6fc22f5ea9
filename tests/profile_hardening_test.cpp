// Profile files against hostile paths and contents: what the reader opens (FIFOs, devices),
// what the writer replaces (symbolic links, devices, planted temporary names), the locale,
// implausible coefficients. Pure profile code, compiled into the test.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <clocale>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <locale>
#include <sstream>
#include <string>

#include "model/cost_model.hpp"
#include "model/profile.hpp"
#include "scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using tandem::Backend;
using tandem::DType;
using tandem::Workload;
using tandem::detail::builtin_profile;
using tandem::detail::load_profile_file;
using tandem::detail::MachineKey;
using tandem::detail::parse_profile;
using tandem::detail::Profile;
using tandem::detail::profile_path_problem;
using tandem::detail::save_profile_file;
using tandem::detail::to_json;

const MachineKey kHere{"Test CPU", 2, "none", "none"};

Profile measured() {
  Profile p = builtin_profile(kHere);
  p.created = "2026-01-02T03:04:05Z";
  p.version = "0.1.0";
  p.at(Backend::serial, Workload::map, DType::f64) = {1.25e-7, 1.5e-9, true, 0.03, 8};
  p.at(Backend::openmp, Workload::mse, DType::f32) = {1.1e-6, 1.0900000000000001e-10, true, 0.05,
                                                      8};
  p.h2d = 2.5e10;
  p.d2h = 2.25e10;
  p.transfer_measured = true;
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using ProfileHardening = tandem_test::ScratchDirTest;

// ---- reading ---------------------------------------------------------------------------------

template <class F>
double seconds_of(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST_F(ProfileHardening, AFifoIsRefusedWithoutBlocking) {
  const std::string fifo = path("fifo.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  tandem::detail::LoadResult r;
  // Opening a FIFO for reading without O_NONBLOCK waits for a writer forever.
  const double s = seconds_of([&] { r = load_profile_file(fifo, kHere, builtin_profile(kHere)); });
  EXPECT_LT(s, 10.0);
  EXPECT_FALSE(r.profile.has_value());
  EXPECT_TRUE(r.warn);
  EXPECT_NE(r.status.find("not a regular file"), std::string::npos) << r.status;
  EXPECT_NE(r.status.find("FIFO"), std::string::npos) << r.status;
}

TEST_F(ProfileHardening, CharacterDevicesAreRefusedWithoutReading) {
  // /dev/zero never ends and /dev/tty may block: neither may be read.
  for (const char* dev : {"/dev/zero", "/dev/null", "/dev/urandom"}) {
    SCOPED_TRACE(dev);
    struct stat st {};
    if (::stat(dev, &st) != 0) continue;
    tandem::detail::LoadResult r;
    const double s = seconds_of([&] { r = load_profile_file(dev, kHere, builtin_profile(kHere)); });
    EXPECT_LT(s, 10.0);
    EXPECT_FALSE(r.profile.has_value());
    EXPECT_TRUE(r.warn);
    EXPECT_NE(r.status.find("not a regular file (is a character device)"), std::string::npos)
        << r.status;
  }
}

TEST_F(ProfileHardening, ProcFilesAreNotRead) {
  // /proc/kmsg blocks (and a read consumes the kernel log); /proc files report size 0.
  for (const char* file : {"/proc/kmsg", "/proc/self/status"}) {
    SCOPED_TRACE(file);
    tandem::detail::LoadResult r;
    const double s =
        seconds_of([&] { r = load_profile_file(file, kHere, builtin_profile(kHere)); });
    EXPECT_LT(s, 10.0);
    EXPECT_FALSE(r.profile.has_value());
    EXPECT_TRUE(r.warn);
    EXPECT_TRUE(r.status.find("ignored: corrupt (empty") != std::string::npos ||
                r.status.find("ignored: unreadable") != std::string::npos)
        << r.status;  // unreadable: no permission to open it
  }
  std::ofstream(path("empty.json"));
  const auto r = load_profile_file(path("empty.json"), kHere, builtin_profile(kHere));
  EXPECT_NE(r.status.find("ignored: corrupt (empty"), std::string::npos) << r.status;
}

TEST_F(ProfileHardening, ASymbolicLinkToAProfileIsRead) {
  const std::string real = path("real.json");
  ASSERT_EQ(save_profile_file(real, measured()), "");
  fs::create_symlink(real, path("link.json"));
  const auto r = load_profile_file(path("link.json"), kHere, builtin_profile(kHere));
  EXPECT_TRUE(r.profile.has_value()) << r.status;
  // A link to a device is judged by what it points to.
  fs::create_symlink("/dev/zero", path("zero.json"));
  const auto z = load_profile_file(path("zero.json"), kHere, builtin_profile(kHere));
  EXPECT_FALSE(z.profile.has_value());
  EXPECT_NE(z.status.find("not a regular file"), std::string::npos) << z.status;
}

TEST_F(ProfileHardening, ATooLargeFileIsCorrupt) {
  std::string text = to_json(measured());
  text.insert(text.size() - 2, tandem::detail::kMaxProfileBytes, ' ');  // valid JSON, too large
  std::ofstream(path("big.json"), std::ios::binary) << text;
  const auto r = load_profile_file(path("big.json"), kHere, builtin_profile(kHere));
  EXPECT_FALSE(r.profile.has_value());
  EXPECT_NE(r.status.find("corrupt (larger than"), std::string::npos) << r.status;
}

TEST_F(ProfileHardening, ImplausibleCoefficientsAreCorrupt) {
  const std::string good = to_json(measured());
  ASSERT_TRUE(parse_profile(good, builtin_profile(kHere), nullptr).has_value());
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from << " in " << good;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  const struct {
    std::string text, reason;
  } cases[] = {
      {with("\"seconds_per_unit\": 1.5e-09", "\"seconds_per_unit\": 0"), "per unit"},
      {with("\"seconds_per_unit\": 1.5e-09", "\"seconds_per_unit\": 1e-300"), "per unit"},
      {with("\"seconds_per_unit\": 1.5e-09", "\"seconds_per_unit\": 1e300"), "per unit"},
      {with("\"overhead_seconds\": 1.25e-07", "\"overhead_seconds\": 1e300"), "overhead"},
      {with("\"overhead_seconds\": 1.25e-07", "\"overhead_seconds\": 2"), "overhead"},
      {with("\"host_to_device_bytes_per_second\": 25000000000.0",
            "\"host_to_device_bytes_per_second\": 1e300"),
       "bandwidth"},
      {with("\"device_to_host_bytes_per_second\": 22500000000.0",
            "\"device_to_host_bytes_per_second\": 10"),
       "bandwidth"},
      {with("\"threads\": 2", "\"threads\": 0"), "threads"},
      {with("\"cpu\": \"Test CPU\"", "\"cpu\": \"Test\\u0007CPU\""), "printable"},
      {with("\"cpu\": \"Test CPU\"", "\"cpu\": \"Test CPU\", \"cpu\": \"x\""), "duplicate"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_profile(c.text, builtin_profile(kHere), &error).has_value()) << c.text;
    EXPECT_NE(error.find(c.reason), std::string::npos) << error;
  }
  // The bounds themselves are plausible.
  EXPECT_TRUE(tandem::detail::plausible_overhead(0));
  EXPECT_TRUE(tandem::detail::plausible_per_unit(tandem::detail::kMinPerUnit));
  EXPECT_TRUE(tandem::detail::plausible_bandwidth(tandem::detail::kMaxBandwidth));
  // The built-in defaults are within them.
  const Profile b = builtin_profile(kHere);
  for (const auto& c : b.coef) {
    if (c.per_unit == 0 && c.overhead == 0) continue;  // a dtype the workload lacks
    EXPECT_TRUE(tandem::detail::plausible_overhead(c.overhead));
    EXPECT_TRUE(tandem::detail::plausible_per_unit(c.per_unit));
  }
  EXPECT_TRUE(tandem::detail::plausible_bandwidth(b.h2d));
}

// ---- writing ---------------------------------------------------------------------------------

TEST_F(ProfileHardening, OnlyARegularFileOrANewPathIsWritten) {
  EXPECT_EQ(profile_path_problem(path("new.json")), "");
  EXPECT_EQ(profile_path_problem(path("a/b/c/new.json")), "");  // folders are created
  std::ofstream(path("old.json")) << "old";
  EXPECT_EQ(profile_path_problem(path("old.json")), "");

  EXPECT_EQ(profile_path_problem(""), "empty path");
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  fs::create_symlink(path("old.json"), path("link"));
  fs::create_directories(path("dir"));
  const struct {
    std::string path, problem;
  } refused[] = {
      {path("fifo"), "is a FIFO"},
      {path("link"), "is a symbolic link"},
      {path("dir"), "is a directory"},
      {"/dev/null", "is a character device"},
      {path("old.json/x.json"), "not a directory"},
  };
  for (const auto& c : refused) {
    SCOPED_TRACE(c.path);
    EXPECT_NE(profile_path_problem(c.path).find(c.problem), std::string::npos)
        << profile_path_problem(c.path);
    EXPECT_NE(save_profile_file(c.path, measured()), "");
  }
  // Nothing was replaced.
  struct stat st {};
  ASSERT_EQ(::lstat(path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(::lstat(path("link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(slurp(path("old.json")), "old");
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(ProfileHardening, PlantedLinksAtTheOldTemporaryNameAreNotFollowed) {
  const std::string victim = path("victim.txt");
  std::ofstream(victim) << "precious";
  const std::string target = path("p.json");
  // The name the writer used to open with O_TRUNC: <target>.tmp<pid>.
  const std::string planted = "p.json.tmp" + std::to_string(::getpid());
  fs::create_symlink(victim, path(planted));
  ASSERT_EQ(save_profile_file(target, measured()), "");
  EXPECT_EQ(slurp(victim), "precious");
  EXPECT_TRUE(parse_profile(slurp(target), builtin_profile(kHere), nullptr).has_value());

  // A link at the target itself: refused, and its target untouched.
  const std::string link = path("link.json");
  fs::create_symlink(victim, link);
  EXPECT_NE(save_profile_file(link, measured()).find("is a symbolic link"), std::string::npos);
  EXPECT_EQ(slurp(victim), "precious");
  EXPECT_TRUE(fs::is_symlink(link));

  // No temporary file is left behind, on success or failure.
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "victim.txt" || name == "p.json" || name == "link.json" || name == planted)
        << name;
  }
}

TEST_F(ProfileHardening, AFailedSaveLeavesNoTemporaryFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes in read-only folders";
  const fs::path ro = dir_ / "ro";
  fs::create_directories(ro);
  std::ofstream(ro / "p.json") << "old";
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_NE(profile_path_problem((ro / "p.json").string()), "");
  EXPECT_NE(save_profile_file((ro / "p.json").string(), measured()), "");
  fs::permissions(ro, fs::perms::owner_all);
  EXPECT_EQ(slurp(ro / "p.json"), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(ro), fs::directory_iterator{}), 1);
}

TEST_F(ProfileHardening, AFailedWriteLeavesTheOldFileAndNoTemporaryFile) {
  // A file size limit makes write() fail with EFBIG, even for root (as a full disk would).
  const std::string target = path("p.json");
  std::ofstream(target) << "old";
  struct rlimit was {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &was), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tiny = was;
  tiny.rlim_cur = 16;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
  const std::string why = save_profile_file(target, measured());
  ::setrlimit(RLIMIT_FSIZE, &was);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(why.find("cannot write"), std::string::npos) << why;
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

// ---- the locale ------------------------------------------------------------------------------

struct CommaNumpunct : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

// A locale whose decimal point is ',' (installed, or generated into a temporary LOCPATH with
// localedef when the machine has its sources); empty when neither is possible.
std::string comma_locale(const fs::path& scratch) {
  const auto usable = [](const char* name) {
    if (std::setlocale(LC_ALL, name) == nullptr) return false;
    const bool comma = std::localeconv()->decimal_point[0] == ',';
    std::setlocale(LC_ALL, "C");
    return comma;
  };
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8",
                           "ru_RU.UTF-8", "de_DE", "fr_FR"}) {
    if (usable(name)) return name;
  }
  if (::access("/usr/bin/localedef", X_OK) != 0 ||
      ::access("/usr/share/i18n/locales/de_DE", R_OK) != 0) {
    return {};
  }
  const fs::path dir = scratch / "locales";
  fs::create_directories(dir);
  const std::string cmd =
      "/usr/bin/localedef -i de_DE -f UTF-8 '" + (dir / "de_DE.UTF-8").string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return {};
  ::setenv("LOCPATH", dir.c_str(), 1);
  return usable("de_DE.UTF-8") ? "de_DE.UTF-8" : "";
}

TEST_F(ProfileHardening, ReadingAndWritingIgnoreTheLocale) {
  const std::string name = comma_locale(dir_);
  if (name.empty()) {
    GTEST_SKIP() << "no locale with a decimal comma is installed, and none can be generated "
                    "(localedef or /usr/share/i18n/locales/de_DE missing)";
  }
  const Profile p = measured();
  const std::string in_c = to_json(p);
  ASSERT_NE(std::setlocale(LC_ALL, name.c_str()), nullptr);
  // C++ streams too (an unnamed locale: std::locale(name) leaks inside glibc with LOCPATH).
  std::locale::global(std::locale(std::locale::classic(), new CommaNumpunct));
  ASSERT_EQ(std::localeconv()->decimal_point[0], ',');
  const std::string in_comma = to_json(p);
  std::string error;
  const auto q = parse_profile(in_comma, builtin_profile(kHere), &error);
  const auto fixed = parse_profile(
      "{\"format\": \"tandem-profile\", \"version\": 1, \"machine\": {\"cpu\": \"Test CPU\", "
      "\"threads\": 2, \"gpu\": \"none\", \"driver\": \"none\"}, \"entries\": [{\"backend\": "
      "\"serial\", \"workload\": \"map\", \"dtype\": \"f64\", \"overhead_seconds\": 1.5e-06, "
      "\"seconds_per_unit\": 2.25e-9, \"fit_error\": 0.5, \"points\": 8}]}",
      builtin_profile(kHere), nullptr);
  std::locale::global(std::locale::classic());
  std::setlocale(LC_ALL, "C");

  EXPECT_EQ(in_comma, in_c);
  for (std::size_t i = 1; i + 1 < in_comma.size(); ++i) {  // no decimal comma: 1,5e-09
    EXPECT_FALSE(in_comma[i] == ',' && std::isdigit(static_cast<unsigned char>(in_comma[i - 1])) &&
                 std::isdigit(static_cast<unsigned char>(in_comma[i + 1])))
        << in_comma;
  }
  ASSERT_TRUE(q.has_value()) << error;
  for (std::size_t i = 0; i < p.coef.size(); ++i) {
    EXPECT_EQ(q->coef[i].overhead, p.coef[i].overhead) << i;
    EXPECT_EQ(q->coef[i].per_unit, p.coef[i].per_unit) << i;
    EXPECT_EQ(q->coef[i].fit_error, p.coef[i].fit_error) << i;
  }
  EXPECT_EQ(q->h2d, p.h2d);
  ASSERT_TRUE(fixed.has_value());
  const auto& c = fixed->at(Backend::serial, Workload::map, DType::f64);
  EXPECT_EQ(c.overhead, 1.5e-06);
  EXPECT_EQ(c.per_unit, 2.25e-9);
  EXPECT_EQ(c.fit_error, 0.5);
}

}  // namespace
