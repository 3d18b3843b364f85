// atomic_file.hpp: a file is replaced whole or not at all, and no temporary is left behind.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "copyproof/common/atomic_file.hpp"

using namespace copyproof;
namespace fs = std::filesystem;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh directory of this process, removed at the end of the scope.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("copyproof_atomic_" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() { fs::remove_all(path); }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

}  // namespace

TEST_CASE("write_file_atomically: writes, replaces, and leaves only the target") {
  ScratchDir dir;
  const std::string path = (dir.path / "out.json").string();
  write_file_atomically(path, "first\n");
  CHECK(read_all(path) == "first\n");
  write_file_atomically(path, std::string("second\0bytes", 12));
  CHECK(read_all(path) == std::string("second\0bytes", 12));
  CHECK(dir.entries() == 1);  // the temporary was renamed, not copied
  CHECK(temporary_path_for(path).rfind(path + ".tmp.", 0) == 0);
}

TEST_CASE("write_atomically: a writer that throws or fails leaves the old file and no temporary") {
  ScratchDir dir;
  const std::string path = (dir.path / "kept.txt").string();
  write_file_atomically(path, "old");
  CHECK_THROWS_AS(write_atomically(path, [](std::ostream&) { throw std::runtime_error("writer failed"); }),
                  std::runtime_error);
  CHECK(read_all(path) == "old");
  CHECK(!fs::exists(temporary_path_for(path)));
  CHECK_THROWS_AS(write_atomically(path, [](std::ostream& out) { out.setstate(std::ios::badbit); }), FileWriteError);
  CHECK(read_all(path) == "old");
  CHECK(!fs::exists(temporary_path_for(path)));
}

TEST_CASE("write_file_atomically / rename_into_place: an impossible target is one FileWriteError naming it") {
  try {
    write_file_atomically("/nonexistent_dir/x.txt", "x");
    FAIL("no error");
  } catch (const FileWriteError& e) {
    CHECK(std::string(e.what()).find("/nonexistent_dir/x.txt") != std::string::npos);
  }
  ScratchDir dir;
  const std::string tmp = (dir.path / "made_elsewhere.tmp").string();
  std::ofstream(tmp) << "bytes";
  CHECK_THROWS_AS(rename_into_place(tmp, "/nonexistent_dir/y.txt"), FileWriteError);
  CHECK(!fs::exists(tmp));  // removed on failure
}
