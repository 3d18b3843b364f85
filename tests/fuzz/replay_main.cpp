// Replays a fuzz target's corpus without libFuzzer: each file named on the command line
// (or found under a directory named there) goes once through LLVMFuzzerTestOneInput.
// CI builds this with the project's own compiler and runs it under ASan+UBSan (the
// sanitizer pass), so every input the campaign found stays a regression test, with no
// clang needed. A crash, a sanitizer report or an escaped exception fails the test.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int replay_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return 0;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // A fresh heap copy of exactly the input's size, as libFuzzer hands it: ASan then sees
  // a read one byte past the end.
  std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path root(argv[i]);
    if (std::filesystem::is_directory(root)) {
      std::vector<std::filesystem::path> paths;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
        if (entry.is_regular_file()) paths.push_back(entry.path());
      std::sort(paths.begin(), paths.end());  // a stable order, so a failure names the same file every run
      for (const auto& p : paths) files += replay_file(p);
    } else {
      files += replay_file(root);
    }
  }
  std::printf("replayed %d inputs\n", files);
  // An empty corpus would make this test pass without testing anything.
  return files > 0 ? 0 : 1;
}
