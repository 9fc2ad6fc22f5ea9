// Profiles: JSON round trip, the default path, corrupt and foreign files (ignored, never a crash).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "model/cost_model.hpp"
#include "model/profile.hpp"

namespace {

using tandem::Backend;
using tandem::DType;
using tandem::Workload;
using tandem::detail::MachineKey;
using tandem::detail::Profile;

const MachineKey kHere{"Test CPU \"quoted\" \\ name", 2, "none", "none"};

Profile measured() {
  Profile p = tandem::detail::builtin_profile(kHere);
  p.created = "2026-01-02T03:04:05Z";
  p.version = "0.1.0";
  p.at(Backend::serial, Workload::map, DType::f64) = {1.25e-7, 1.5e-9, true, 0.03, 8};
  p.at(Backend::openmp, Workload::mse, DType::f32) = {1.1e-6, 0.1e-9, true, 0.05, 8};
  auto& map = p.at(Backend::openmp, Workload::map, DType::f64);
  map = {1.9e-6, 1e-10, true, 0.07, 3};
  map.sample_count = 3;
  map.samples[0] = {256, 1.7e-7};
  map.samples[1] = {1024, 2.25e-7};
  map.samples[2] = {262144, 2.5e-5};
  p.at(Backend::cuda, Workload::matmul, DType::f64) = {1.5e-5, 1e-13, true, 0.1, 11};
  p.h2d = 2.5e10;
  p.d2h = 2.25e10;
  p.transfer_measured = true;
  return p;
}

class ProfileFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tandem-profile-test-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text) {
    std::filesystem::create_directories(dir_);
    const std::string path = (dir_ / "p.json").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST(Profile, JsonRoundTrip) {
  const Profile p = measured();
  std::string error;
  const auto q = tandem::detail::parse_profile(tandem::detail::to_json(p),
                                               tandem::detail::builtin_profile(kHere), &error);
  ASSERT_TRUE(q.has_value()) << error;
  EXPECT_EQ(q->machine, p.machine);
  EXPECT_EQ(q->created, p.created);
  EXPECT_EQ(q->h2d, p.h2d);
  EXPECT_EQ(q->d2h, p.d2h);
  EXPECT_TRUE(q->transfer_measured);
  for (std::size_t i = 0; i < p.coef.size(); ++i) {
    EXPECT_EQ(q->coef[i].measured, p.coef[i].measured) << i;
    EXPECT_EQ(q->coef[i].overhead, p.coef[i].overhead) << i;
    EXPECT_EQ(q->coef[i].per_unit, p.coef[i].per_unit) << i;
    ASSERT_EQ(q->coef[i].sample_count, p.coef[i].sample_count) << i;
    for (int k = 0; k < p.coef[i].sample_count; ++k) {
      EXPECT_EQ(q->coef[i].samples[k].work, p.coef[i].samples[k].work) << i;
      EXPECT_EQ(q->coef[i].samples[k].seconds, p.coef[i].samples[k].seconds) << i;
    }
  }
  EXPECT_EQ(q->at(Backend::openmp, Workload::map, DType::f64).sample_count, 3);
}

TEST(Profile, AnEntryWithoutSamplesIsTheAffineFit) {
  // A profile written before samples existed still loads: its entries are affine fits.
  Profile p = measured();
  p.at(Backend::openmp, Workload::map, DType::f64).sample_count = 0;
  std::string error;
  const auto q = tandem::detail::parse_profile(tandem::detail::to_json(p),
                                               tandem::detail::builtin_profile(kHere), &error);
  ASSERT_TRUE(q.has_value()) << error;
  EXPECT_EQ(tandem::detail::to_json(p).find("samples"), std::string::npos);
  EXPECT_EQ(q->at(Backend::openmp, Workload::map, DType::f64).sample_count, 0);
  EXPECT_TRUE(q->at(Backend::openmp, Workload::map, DType::f64).measured);
}

TEST_F(ProfileFile, SaveThenLoad) {
  const std::string path = (dir_ / "sub" / "dir" / "p.json").string();
  ASSERT_EQ(tandem::detail::save_profile_file(path, measured()), "");
  const auto r =
      tandem::detail::load_profile_file(path, kHere, tandem::detail::builtin_profile(kHere));
  ASSERT_TRUE(r.profile.has_value()) << r.status;
  EXPECT_EQ(r.status, "loaded");
  EXPECT_FALSE(r.warn);
  EXPECT_EQ(r.profile->at(Backend::serial, Workload::map, DType::f64).per_unit, 1.5e-9);
  // Entries the file does not have keep the defaults they were loaded onto.
  EXPECT_FALSE(r.profile->at(Backend::openmp, Workload::map, DType::f32).measured);
  EXPECT_EQ(r.profile->at(Backend::openmp, Workload::map, DType::f64).sample_count, 3);
}

TEST_F(ProfileFile, MissingIsQuietlyDefaults) {
  const auto r = tandem::detail::load_profile_file((dir_ / "none.json").string(), kHere,
                                                   tandem::detail::builtin_profile(kHere));
  EXPECT_FALSE(r.profile.has_value());
  EXPECT_EQ(r.status, "not found");
  EXPECT_FALSE(r.warn);
}

TEST_F(ProfileFile, ForeignIsIgnoredWithAWarning) {
  MachineKey other = kHere;
  other.threads = 64;
  const std::string path = write(tandem::detail::to_json(measured()));
  const auto r =
      tandem::detail::load_profile_file(path, other, tandem::detail::builtin_profile(other));
  EXPECT_FALSE(r.profile.has_value());
  EXPECT_TRUE(r.warn);
  EXPECT_NE(r.status.find("another machine"), std::string::npos) << r.status;
  other = kHere;
  other.gpu = "NVIDIA H100";
  EXPECT_FALSE(tandem::detail::load_profile_file(path, other, measured()).profile.has_value());
}

TEST_F(ProfileFile, CorruptFilesAreIgnoredWithAWarning) {
  const std::string good = tandem::detail::to_json(measured());
  const auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::string cases[] = {
      "",
      "not json",
      "{}",
      "[]",
      good.substr(0, good.size() / 2),  // truncated
      good + "x",                       // trailing bytes
      replace("\"tandem-profile\"", "\"other\""),
      replace("\"version\": 1", "\"version\": 2"),
      replace("\"threads\": 2", "\"threads\": -2"),
      replace("\"threads\": 2", "\"threads\": 2.5"),
      replace("\"threads\": 2", "\"threads\": \"2\""),
      replace("\"quick\": true", "\"quick\": 1"),
      replace("\"quick\": true", "\"quick\": true, \"extra\": 0"),
      replace("\"backend\": \"serial\"", "\"backend\": \"gpu\""),
      replace("\"workload\": \"mse\"", "\"workload\": \"fft\""),
      replace("\"dtype\": \"f32\"", "\"dtype\": \"i32\""),  // mse has no i32
      replace("\"seconds_per_unit\": 1.5", "\"seconds_per_unit\": -1.5"),
      replace("\"seconds_per_unit\": 1.5", "\"seconds_per_unit\": 1e999"),
      replace("\"fit_error\"", "\"fit_error\": 0, \"fit_error\""),  // duplicate key
      replace("\"entries\": [", "\"entries\": [{\"backend\": \"serial\"},"),
      replace("\"host_to_device_bytes_per_second\": 2", "\"host_to_device_bytes_per_second\": 0"),
      // samples: the wrong shape, decreasing or non-positive work, implausible seconds, too many
      replace("\"samples\": [", "\"samples\": [[1, 2, 3], "),
      replace("\"samples\": [", "\"samples\": [[1], "),
      replace("\"samples\": [", "\"samples\": [\"a\", "),
      replace("\"samples\": [", "\"samples\": [[1e6, 1e-3], "),
      replace("\"samples\": [", "\"samples\": [[0, 1e-7], "),
      replace("\"samples\": [", "\"samples\": [[-5, 1e-7], "),
      replace("\"samples\": [", "\"samples\": [[10, 0], "),
      replace("\"samples\": [", "\"samples\": [[10, 1e3], "),
      replace("\"samples\": [", "\"samples\": [[10, 1e999], "),
      replace("\"samples\": [",
              "\"samples\": [[1, 1e-7], [2, 1e-7], [3, 1e-7], [4, 1e-7], [5, 1e-7], [6, 1e-7], "
              "[7, 1e-7], [8, 1e-7], [9, 1e-7], [10, 1e-7], [11, 1e-7], [12, 1e-7], [13, 1e-7], "
              "[14, 1e-7], "),
      std::string(2000, '['),  // deep nesting
      "{\"format\": \"tandem-profile\\u00e9\"}",
      std::string("{\"format\"\0: 1}", 14),
  };
  int i = 0;
  for (const std::string& text : cases) {
    SCOPED_TRACE("case " + std::to_string(i++));
    const std::string path = write(text);
    const auto r =
        tandem::detail::load_profile_file(path, kHere, tandem::detail::builtin_profile(kHere));
    EXPECT_FALSE(r.profile.has_value());
    EXPECT_TRUE(r.warn);
    EXPECT_NE(r.status.find("ignored"), std::string::npos) << r.status;
  }
  // A directory where the file should be.
  std::filesystem::create_directories(dir_ / "d.json");
  EXPECT_FALSE(tandem::detail::load_profile_file((dir_ / "d.json").string(), kHere, measured())
                   .profile.has_value());
}

TEST(Profile, DefaultPath) {
  using tandem::detail::profile_path;
  EXPECT_EQ(profile_path("/x/p.json", "/cache", "/home/u", kHere), "/x/p.json");
  const std::string hashed = "profile-" + kHere.hash() + ".json";
  EXPECT_EQ(profile_path(nullptr, "/cache", "/home/u", kHere), "/cache/tandem/" + hashed);
  EXPECT_EQ(profile_path("", "relative", "/home/u", kHere), "/home/u/.cache/tandem/" + hashed);
  EXPECT_EQ(profile_path(nullptr, nullptr, nullptr, kHere), "");
  MachineKey other = kHere;
  other.driver = "550.54.15";
  EXPECT_NE(other.hash(), kHere.hash());
}

}  // namespace
