// Fuzz target, end to end: the study result files that `copyproof figures` and `copyproof
// study --summary` read from a --data directory (trained/study.hpp's layout), written as
// files and read back by the figures and the summaries. fuzz_results_json fuzzes the same
// parser and checks in memory, 1.5x faster per input; this target keeps the file layout,
// the directory walk and the real consumers (three figures, two summaries) under the
// fuzzer, twice the edges (reliability.md). Both take the same inputs (one corpus). The input is the
// files of one run, separated by NUL bytes (JSON text holds none):
//   config.json \0 eval.json \0 train.jsonl \0 eval-dup.json \0 pigeonhole.json
// (a part left out: that file is absent). They are written as run transformer-s1 of the
// copy-seeds study (whose figures and summary read all but the last) and, through a
// directory link, as run lstm-h32-s1 of the pigeonhole study (whose summary reads the last).
// The readers' promises, each a finding when broken:
//  - figures' load_study returns or throws std::runtime_error naming the file;
//  - what load_study returned, every trained figure draws without throwing, and every
//    model name it writes into the gnuplot script and the CSV is a safe name (no quote);
//  - study_summary returns or throws std::runtime_error (never nlohmann's exceptions).
// Nothing else may escape, crash, or trip ASan/UBSan (float-to-int conversions included).

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "copyproof/figures/figure.hpp"
#include "copyproof/trained/result_files.hpp"
#include "copyproof/trained/study.hpp"
#include "copyproof/trained/study_summary.hpp"
#include "trained_data.hpp"

namespace copyproof::figures {
Figure trained_length_generalization_figure();
Figure trained_sample_efficiency_figure();
Figure dup_ngram_probe_figure();
}  // namespace copyproof::figures

namespace {

namespace fs = std::filesystem;
namespace fg = copyproof::figures;
namespace tr = copyproof::trained;

const char* const kFiles[] = {tr::kConfigFile, tr::kEvalFile, tr::kTrainLogFile, tr::kDupFile, tr::kPigeonholeFile};

// The scratch root: /dev/shm (memory) where there is one. On /tmp (ext4 here) every input's
// rewrite of five files forced a write-back to disk on close, a fifth of the target's time.
fs::path scratch_root() {
  std::error_code ec;
  return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
}

// The data directory of this process, made once and removed at exit.
struct DataDir {
  fs::path root = scratch_root() / ("copyproof_fuzz_results_" + std::to_string(::getpid()));
  fs::path run = root / "copy-seeds" / "transformer-s1";
  DataDir() {
    fs::remove_all(root);
    fs::create_directories(run);
    fs::create_directories(root / "pigeonhole");
    fs::create_directory_symlink(run, root / "pigeonhole" / "lstm-h32-s1");
  }
  ~DataDir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

const DataDir& data_dir() {
  static const DataDir dir;
  return dir;
}

void write_parts(std::string_view input, const fs::path& run) {
  std::size_t part = 0;
  for (std::size_t at = 0; part < std::size(kFiles); ++part) {
    const fs::path file = run / kFiles[part];
    if (at > input.size()) {
      fs::remove(file);
      continue;
    }
    const std::size_t end = std::min(input.find('\0', at), input.size());
    std::ofstream(file, std::ios::binary | std::ios::trunc)
        .write(input.data() + at, static_cast<std::streamsize>(end - at));
    at = end + 1;
  }
}

void check_figures(const fs::path& root) {
  try {
    (void)fg::load_study(root, "copy-seeds");
  } catch (const std::runtime_error&) {
    return;  // refused, naming the file: the CLI says it in one line and exits 2
  }
  fg::FigureContext ctx;
  ctx.data_dir = root;
  for (const fg::Figure& figure : {fg::trained_length_generalization_figure(), fg::trained_sample_efficiency_figure(),
                                   fg::dup_ngram_probe_figure()}) {
    const fg::FigureOutput out = figure.make(ctx);  // load_study accepted the files: no exception allowed
    if (!out.skipped.empty()) continue;
    const auto& columns = out.table.columns;
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (columns[c] == "model")
        for (const auto& row : out.table.rows)
          if (!tr::is_safe_result_name(row[c])) std::abort();  // would be written between gnuplot's quotes
  }
}

void check_summary(const fs::path& root, const char* study) {
  try {
    (void)tr::study_summary(*tr::find_study(study), root);
  } catch (const std::runtime_error&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const DataDir& dir = data_dir();
  write_parts(std::string_view(reinterpret_cast<const char*>(data), size), dir.run);
  check_figures(dir.root);
  check_summary(dir.root, "copy-seeds");
  check_summary(dir.root, "pigeonhole");
  return 0;
}
