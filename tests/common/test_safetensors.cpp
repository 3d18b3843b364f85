// safetensors files: round trip, and every way a file can be broken gives one clear error.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "copyproof/common/safetensors.hpp"

using namespace copyproof;

namespace {

std::string temp_path(const char* name) { return "/tmp/copyproof_test_" + std::to_string(::getpid()) + "_" + name; }

SafetensorsFile sample() {
  SafetensorsFile f;
  const double m[6] = {1.5, -2, 3, 4e-300, 5, 6};
  const std::int32_t ids[3] = {7, -8, 9};
  f.tensors["matrix"] = Tensor::of<double>({2, 3}, m);
  f.tensors["ids"] = Tensor::of<std::int32_t>({3}, ids);
  f.tensors["empty"] = Tensor::of<float>({0, 4}, static_cast<const float*>(nullptr));
  f.metadata["format"] = "test";
  return f;
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("safetensors: what is written is read back, bit for bit") {
  const std::string path = temp_path("round.safetensors");
  write_safetensors(path, sample());
  const SafetensorsFile f = read_safetensors(path);
  CHECK(f.metadata.at("format") == "test");
  CHECK(f.tensors.at("matrix").shape == std::vector<std::int64_t>{2, 3});
  CHECK(f.tensors.at("matrix").values<double>() == std::vector<double>{1.5, -2, 3, 4e-300, 5, 6});
  CHECK(f.tensors.at("ids").values<std::int32_t>() == std::vector<std::int32_t>{7, -8, 9});
  CHECK(f.tensors.at("empty").bytes.empty());
  CHECK_THROWS_AS(f.tensors.at("ids").values<float>(), SafetensorsError);
  // The header length is a multiple of 8 (the format's alignment), data follows it.
  const std::string bytes = read_bytes(path);
  std::uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  CHECK(header % 8 == 0);
  CHECK(bytes.size() == 8 + header + 6 * 8 + 3 * 4);
  std::remove(path.c_str());
}

TEST_CASE("safetensors: missing, truncated and corrupt files are refused in one line") {
  const std::string path = temp_path("broken.safetensors");
  CHECK_THROWS_WITH_AS(read_safetensors(path), doctest::Contains("cannot open"), SafetensorsError);
  write_safetensors(path, sample());
  const std::string good = read_bytes(path);
  write_bytes(path, good.substr(0, 5));
  CHECK_THROWS_WITH_AS(read_safetensors(path), doctest::Contains("truncated"), SafetensorsError);
  write_bytes(path, good.substr(0, good.size() - 3));
  CHECK_THROWS_AS(read_safetensors(path), SafetensorsError);
  std::string corrupt = good;
  corrupt[9] = '#';  // inside the JSON header
  write_bytes(path, corrupt);
  CHECK_THROWS_WITH_AS(read_safetensors(path), doctest::Contains("corrupt"), SafetensorsError);
  write_bytes(path, good + "tail");
  CHECK_THROWS_WITH_AS(read_safetensors(path), doctest::Contains("past its last tensor"), SafetensorsError);
  std::string huge = good;
  huge[7] = '\x7f';  // header length far past the file
  write_bytes(path, huge);
  CHECK_THROWS_AS(read_safetensors(path), SafetensorsError);
  std::remove(path.c_str());
}

TEST_CASE("safetensors: a failed write leaves no file behind") {
  CHECK_THROWS_AS(write_safetensors("/nonexistent_dir/x.safetensors", sample()), SafetensorsError);
  SafetensorsFile bad;
  const float one = 1;
  bad.tensors["wrong"] = Tensor::of<float>({1}, &one);
  bad.tensors["wrong"].shape = {2};
  const std::string path = temp_path("bad.safetensors");
  CHECK_THROWS_AS(write_safetensors(path, bad), SafetensorsError);
  CHECK(!std::ifstream(path).good());
}
