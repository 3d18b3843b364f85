#include <copyproof/trained/study.hpp>

#include <algorithm>
#include <utility>
#include <vector>

namespace copyproof::trained {

namespace {

// Seeds of copy-seeds under the issue's ~3-hour budget (see copy_seeds).
constexpr std::uint64_t kBudgetSeeds = 2;

// Copy evaluation lengths of the paper-style studies: the training range 5-20, then
// doubling out to 8x the longest training string.
const std::vector<int> kCopyLengths = {5, 10, 20, 40, 80, 160};
// Duplicated n-gram lengths of the mechanism probe (docs/trained.md).
const std::vector<int> kDupNgrams = {2, 3, 4, 5, 6, 7, 8};

StudyRun make_run(const std::string& group, const std::string& model, std::uint64_t seed) {
  StudyRun r;
  r.group = group;
  r.name = group + "-s" + std::to_string(seed);
  r.model = model;
  r.seed = seed;
  r.eval_lengths = kCopyLengths;
  return r;
}

Study copy_seeds() {
  Study s{"copy-seeds",
          "transformer (Hard-ALiBi), Mamba, LSTM at the defaults (10,000 steps, lengths 5-20), seeds 1-2; "
          "copy at 5-160 and the duplicated n-gram probe (n = 2-8 at length 20)",
          {}};
  // Round-robin over seeds (seed 1 of every model, then seed 2, ...), so that a study
  // stopped early has the same number of seeds for every model, give or take one: a model
  // with no seed at all is worth less than a third seed of another. (Before, seeds 1-3 ran
  // model by model; transformer seeds 1-2 finished that way and no other model's did.)
  auto add = [&](const char* model, std::uint64_t seed) {
    StudyRun r = make_run(model, model, seed);
    if (r.model == "transformer") r.pos = "hard-alibi";
    r.dup_ngrams = kDupNgrams;
    s.runs.push_back(r);
  };
  // Seeds 1-2, not the 1-5: the whole set of studies has to fit about 3 hours of the
  // 2-core machine (issue 13, "Budget"; costs per study in docs/trained.md), and five seeds
  // at the default budget alone would take ~125-190 of its ~360 core-minutes (two: ~50-76).
  // copy-seeds-5k has three seeds of every model at half the budget. More seeds append
  // after these (round-robin order keeps the finished runs valid).
  for (std::uint64_t seed = 1; seed <= kBudgetSeeds; ++seed)
    for (const char* model : {"transformer", "lstm", "mamba"}) add(model, seed);
  return s;
}

// copy-seeds at half the default budget. The full-budget grid above needs ~90 core-minutes
// for three seeds of LSTM and Mamba alone (measured: ~45 and ~75 ms a step on an idle core,
// 10,000 steps), which the shared 2-core machine, loaded far past its cores, could not
// give in one session; 5,000 steps for every model (the transformer too, so that the
// three stay comparable) fit. Everything else is the default; the summary of this study
// says nothing about the default budget (the earlier single-seed runs do; copy-seeds
// resumes that grid).
Study copy_seeds_5k() {
  Study s{"copy-seeds-5k",
          "transformer (Hard-ALiBi), Mamba, LSTM at the defaults but 5,000 steps (half the default budget), "
          "lengths 5-20, seeds 1-3; copy at 5-160 and the duplicated n-gram probe (n = 2-8 at length 20)",
          {}};
  // Round-robin over seeds, as copy-seeds.
  for (std::uint64_t seed = 1; seed <= 3; ++seed)
    for (const char* model : {"transformer", "lstm", "mamba"}) {
      StudyRun r = make_run(model, model, seed);
      if (r.model == "transformer") r.pos = "hard-alibi";
      r.train_flags = {"--steps", "5000"};
      r.dup_ngrams = kDupNgrams;
      s.runs.push_back(r);
    }
  return s;
}

// The paper's length-generalization comparison across positional encodings. 5,000 steps
// (half the default budget) so that 4 encodings x 3 seeds fit the shared machine.
Study positional() {
  Study s{"positional",
          "transformer with NoPE, RoPE, ALiBi, Hard-ALiBi, 5,000 steps on lengths 5-20, seeds 1-3; copy at 5-160",
          {}};
  auto add = [&](const char* pos, std::uint64_t seed) {
    StudyRun r = make_run(pos, "transformer", seed);
    r.pos = pos;
    r.train_flags = {"--pos", pos, "--steps", "5000"};
    s.runs.push_back(r);
  };
  // Seed 1 of every encoding, then seeds 2-3 round-robin over NoPE, RoPE, ALiBi, and the
  // Hard-ALiBi seeds 2-3 last: Hard-ALiBi trains exactly as copy-seeds-5k's transformer
  // (same flags and seeds), and hard-alibi-s1 reproduced copy-seeds-5k/transformer-s1
  // exactly (identical eval.json results and train.jsonl losses), so on a stopped study
  // the other encodings' seeds are worth more than a repeat.
  for (const char* pos : {"nope", "rope", "alibi", "hard-alibi"}) add(pos, 1);
  for (std::uint64_t seed = 2; seed <= 3; ++seed)
    for (const char* pos : {"nope", "rope", "alibi"}) add(pos, seed);
  for (std::uint64_t seed = 2; seed <= 3; ++seed) add("hard-alibi", seed);
  return s;
}

// The paper's sample-efficiency experiment moved to where it found the gap: training strings
// up to 50 letters (lengths 5-50) instead of 20. Each model at its default size and learning
// rate (the picks of the documented sweep; lr-sweep reruns it), seeds 1-2.
// The curve is read from the training logs: string accuracy of 64 fresh strings of 50
// letters every 250 steps (8,000 examples), against examples seen. Not tuned: if the gap
// does not open at this scale, that is the result.
// Budget size (issue 13: all studies in ~3 hours of the 2-core machine): 5,000 steps and two
// seeds instead of the default 10,000 and three. Strings of 5-50 letters cost ~2.2x those of
// 5-20 per step, so the 10,000-step, 3-seed grid would take ~170-250 core-minutes, most of the
// whole budget; at 5,000 steps x 2 seeds it is ~55-85 (docs/trained.md, "Budget"). 5,000 steps is also the budget of
// copy-seeds-5k and positional, so the curves compare with theirs at equal examples seen.
Study sample_efficiency() {
  Study s{"sample-efficiency",
          "transformer (Hard-ALiBi), Mamba, LSTM at the defaults but 5,000 steps, trained on lengths 5-50, seeds 1-2; "
          "string accuracy at 50 against examples seen (train log), copy at 10-200",
          {}};
  for (std::uint64_t seed = 1; seed <= 2; ++seed)
    for (const char* model : {"transformer", "lstm", "mamba"}) {
      StudyRun r = make_run(model, model, seed);
      if (r.model == "transformer") r.pos = "hard-alibi";
      r.train_flags = {"--min-length", "5", "--max-length", "50", "--steps", "5000"};
      r.eval_lengths = {10, 25, 50, 100, 200};
      s.runs.push_back(r);
    }
  return s;
}

// The paper's lookup tasks: given an n-gram (n = 3) of the string, write what follows it;
// the key before the string (prefix: the model can look for it while reading) or after it
// (suffix: a fixed-state model must have kept everything). Each model at the defaults but
// 5,000 steps on lengths 5-20, seeds 1-2; eval at 5-80. Budget size (issue 13: all studies
// in ~3 hours of the 2-core machine): the 10,000-step, 3-seed grid (18 runs) would take
// ~150-230 core-minutes; 5,000 steps x 2 seeds (12 runs) ~50-75 (docs/trained.md, "Budget"). Suffix before prefix and
// round-robin over seeds, so that a study stopped early has the task the paper's gap is
// about for every model first.
Study lookup() {
  Study s{"lookup",
          "prefix and suffix 3-gram lookup for transformer (Hard-ALiBi), Mamba, LSTM at the defaults but 5,000 steps "
          "(lengths 5-20), seeds 1-2; eval at 5-80",
          {}};
  for (std::uint64_t seed = 1; seed <= 2; ++seed)
    for (const char* task : {"suffix", "prefix"})
      for (const char* model : {"transformer", "lstm", "mamba"}) {
        StudyRun r = make_run(std::string(task) + "-" + model, model, seed);
        if (r.model == "transformer") r.pos = "hard-alibi";
        r.task = task;
        r.train_flags = {"--steps", "5000"};
        r.eval_lengths = {5, 10, 20, 40, 80};
        s.runs.push_back(r);
      }
  return s;
}

// The learning-rate sweep of docs/trained.md rerun under the current schedule (cosine to
// zero), seed 1, lengths 5-20; eval at 20. The pick per model: highest string accuracy at
// 20, then token accuracy (as before).
// Budget size (issue 13: all studies in ~3 hours of the 2-core machine): the full grid (4
// rates x 3 models at 10,000 steps) would take ~100-150 core-minutes. Here each model runs its
// current pick and the two half-decade neighbours (so a better rate on either side shows),
// 3,000 steps each as the first sweep: ~25-35 core-minutes (docs/trained.md, "Budget"). Transformer and LSTM picked
// 1e-2, Mamba 3e-3 (docs/trained.md, "Learning-rate sweep").
Study lr_sweep() {
  Study s{
      "lr-sweep",
      "transformer (Hard-ALiBi), Mamba, LSTM at the defaults but 3,000 steps (lengths 5-20), seed 1, peak learning "
      "rate: each model's pick and its half-decade neighbours (transformer, LSTM 3e-3, 1e-2, 3e-2; Mamba 1e-3, 3e-3, "
      "1e-2); copy at 20",
      {}};
  const std::vector<std::pair<const char*, std::vector<const char*>>> rates = {
      {"transformer", {"3e-3", "1e-2", "3e-2"}},
      {"lstm", {"3e-3", "1e-2", "3e-2"}},
      {"mamba", {"1e-3", "3e-3", "1e-2"}}};
  for (std::size_t i = 0; i < 3; ++i)
    for (const auto& [model, model_rates] : rates) {
      const char* lr = model_rates[i];
      StudyRun r = make_run(std::string(model) + "-lr" + lr, model, 1);
      if (r.model == "transformer") r.pos = "hard-alibi";
      r.train_flags = {"--lr", lr, "--steps", "3000"};
      r.eval_lengths = {20};
      s.runs.push_back(r);
    }
  return s;
}

// Fixed-state models from tiny to small state, trained on lengths 1-32 so that the larger
// ones can show how far they copy; the longest length with string accuracy >= 1/2 is set
// against Theorem 2.7's limit for the state's bits (study_summary.cpp).
Study state_sweep() {
  Study s{"state-sweep",
          "LSTM (1 layer, hidden 2-64) and Mamba (1 layer, width 4-16, N 1-4) and one small transformer, "
          "2,000 steps on lengths 1-32, seed 1; copy at 1-64, and with the state quantized to 1-16 bits per number",
          {}};
  const std::vector<int> lengths = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
  auto add = [&](const std::string& group, const std::string& model, std::vector<std::string> flags) {
    StudyRun r = make_run(group, model, 1);
    r.train_flags = std::move(flags);
    for (const char* f : {"--steps", "2000", "--min-length", "1", "--max-length", "32"}) r.train_flags.emplace_back(f);
    r.eval_lengths = lengths;
    if (model == "transformer") r.pos = "hard-alibi";
    // The fewest bits per number at which each fixed-state model still copies (added after
    // the runs: the runner extends them from their checkpoints).
    else
      r.quantized_bits = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16};
    s.runs.push_back(r);
  };
  for (int hidden : {2, 4, 8, 16, 32, 64})
    add("lstm-h" + std::to_string(hidden), "lstm", {"--layers", "1", "--width", std::to_string(hidden)});
  for (const auto& [width, n] : std::vector<std::pair<int, int>>{{4, 1}, {8, 2}, {16, 4}})
    add("mamba-w" + std::to_string(width) + "-n" + std::to_string(n), "mamba",
        {"--layers", "1", "--width", std::to_string(width), "--state-dim", std::to_string(n)});
  add("transformer-w32", "transformer", {"--width", "32", "--heads", "4"});
  return s;
}

// state-sweep redesigned so that the bound bites at trainable lengths (docs/trained.md,
// "state-sweep-small"): copy over D = 4 letters, 2 bits each, so Theorem 2.7's limit is the
// largest L with 2L < bits + 1. D = 4, not 2: with two letters a model that ignores its input
// already copies one letter with string accuracy ~1/2 (chance 1/2^L), right at the
// study's ">= 1/2" threshold; over four chance is 1/4^L. Six LSTMs (4-128 state numbers)
// and six Mambas (16-224), 20,000 steps (a pilot at 5,000 left lstm-h8 copying 2 letters,
// at 20,000 4, its loss still falling: docs/trained.md) on lengths 1-32, three seeds; eval out to 128 letters, past the
// 32-bit limit of the smallest state (lstm-h2: 128 bits, 64 letters) and far past its quantized limits (e.g. 16 bits at
// q = 4: 8 letters). Results and cost in docs/trained.md. Seed-major order as copy-seeds: a stopped
// study has every model's seed 1.
Study state_sweep_small() {
  Study s{"state-sweep-small",
          "copy over 4 letters: LSTM (1 layer, hidden 2-64) and Mamba (1 layer, 6 sizes, 16-224 state numbers) and "
          "one small transformer, 20,000 steps on lengths 1-32, seeds 1-3; copy at 1-128, and with the state "
          "quantized to 1-16 bits per number",
          {}};
  const std::vector<int> lengths = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128};
  auto add = [&](const std::string& group, const std::string& model, std::vector<std::string> flags,
                 std::uint64_t seed) {
    StudyRun r = make_run(group, model, seed);
    r.train_flags = std::move(flags);
    for (const char* f : {"--alphabet", "4", "--steps", "20000", "--min-length", "1", "--max-length", "32"})
      r.train_flags.emplace_back(f);
    r.eval_lengths = lengths;
    if (model == "transformer")
      r.pos = "hard-alibi";
    else
      r.quantized_bits = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16};
    s.runs.push_back(r);
  };
  // Mamba state: 2 x width inner channels, each N scan numbers and a 3-number conv tail.
  const std::vector<std::pair<int, int>> mambas = {{2, 1}, {4, 1}, {4, 2}, {8, 2}, {8, 4}, {16, 4}};
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    for (int hidden : {2, 4, 8, 16, 32, 64})
      add("lstm-h" + std::to_string(hidden), "lstm", {"--layers", "1", "--width", std::to_string(hidden)}, seed);
    for (const auto& [width, n] : mambas)
      add("mamba-w" + std::to_string(width) + "-n" + std::to_string(n), "mamba",
          {"--layers", "1", "--width", std::to_string(width), "--state-dim", std::to_string(n)}, seed);
    add("transformer-w32", "transformer", {"--width", "32", "--heads", "4"}, seed);
  }
  return s;
}

// Theorem 2.7's counting argument on trained models: small fixed-state models trained on
// 1-4 letters, then every string of 2 and 3 letters read with the state quantized to q
// bits per number before SEP (pigeonhole.hpp).
Study pigeonhole() {
  Study s{"pigeonhole",
          "LSTM (1 layer, hidden 32) and Mamba (1 layer, width 8, N 2), 2,000 steps on lengths 1-4, seed 1; all 26^L "
          "strings "
          "for L = 2, 3 with the state quantized to 1-16 bits per number",
          {}};
  auto add = [&](const std::string& group, const std::string& model, std::vector<std::string> flags) {
    StudyRun r = make_run(group, model, 1);
    r.train_flags = std::move(flags);
    for (const char* f : {"--steps", "2000", "--min-length", "1", "--max-length", "4"}) r.train_flags.emplace_back(f);
    r.eval_lengths = {1, 2, 3, 4, 6, 8};
    r.pigeonhole_lengths = {2, 3};
    r.pigeonhole_bits = {1, 2, 3, 4, 6, 8, 16};
    s.runs.push_back(r);
  };
  add("lstm-h32", "lstm", {"--layers", "1", "--width", "32"});
  add("mamba-w8-n2", "mamba", {"--layers", "1", "--width", "8", "--state-dim", "2"});
  return s;
}

// A seconds-long study for the tests: one tiny transformer, 20 steps, every file of the layout.
Study smoke() {
  Study s{"smoke", "a 1-layer width-8 transformer and a hidden-2 LSTM, 20 steps (checks the runner; not a result)", {}};
  StudyRun r = make_run("transformer", "transformer", 1);
  r.pos = "hard-alibi";
  r.train_flags = {"--layers", "1", "--width",      "8",  "--heads",        "2", "--steps", "20",
                   "--batch",  "8", "--eval-every", "10", "--eval-samples", "4"};
  r.eval_lengths = {5, 10};
  r.eval_samples = 8;
  r.dup_ngrams = {2, 3};
  r.dup_length = 10;
  s.runs.push_back(r);
  // A 1-layer hidden-2 LSTM, 20 steps: the quantized-state evaluation and the extension of
  // a finished run by a file added later.
  StudyRun q = make_run("lstm", "lstm", 1);
  q.train_flags = {"--layers", "1", "--width",      "2",  "--steps",        "20",
                   "--batch",  "8", "--eval-every", "10", "--eval-samples", "4"};
  q.eval_lengths = {1, 2};
  q.eval_samples = 8;
  q.quantized_bits = {1, 2};
  s.runs.push_back(q);
  return s;
}

}  // namespace

const std::vector<Study>& all_studies() {
  static const std::vector<Study> studies = {copy_seeds(), copy_seeds_5k(),    positional(),  sample_efficiency(),
                                             lookup(),     lr_sweep(),         state_sweep(), pigeonhole(),
                                             smoke(),      state_sweep_small()};
  return studies;
}

const Study* find_study(const std::string& name) {
  for (const Study& s : all_studies())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> result_files(const StudyRun& run) {
  std::vector<std::string> files = {kConfigFile, kTrainLogFile, kEvalFile};
  if (!run.dup_ngrams.empty()) files.emplace_back(kDupFile);
  if (!run.pigeonhole_lengths.empty()) files.emplace_back(kPigeonholeFile);
  if (!run.quantized_bits.empty()) files.emplace_back(kQuantizedFile);
  return files;
}

bool run_finished(const std::filesystem::path& run_dir, const StudyRun& run) {
  const auto files = result_files(run);
  return std::all_of(files.begin(), files.end(),
                     [&](const std::string& f) { return std::filesystem::is_regular_file(run_dir / f); });
}

std::vector<std::string> train_arguments(const StudyRun& run, const std::string& checkpoint, const std::string& log) {
  std::vector<std::string> a = {
      "train",     "--model", run.model,     "--task", run.task, "--seed",   std::to_string(run.seed),
      "--threads", "1",       "--log-every", "50",     "--out",  checkpoint, "--log",
      log,         "--json"};
  a.insert(a.end(), run.train_flags.begin(), run.train_flags.end());
  return a;
}

namespace {
std::string join(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}
}  // namespace

std::vector<std::string> eval_arguments(const StudyRun& run, const std::string& checkpoint) {
  return {"eval",
          "--checkpoint",
          checkpoint,
          "--task",
          run.task,
          "--lengths",
          join(run.eval_lengths),
          "--samples",
          std::to_string(run.eval_samples),
          "--threads",
          "1",
          "--json"};
}

std::vector<std::string> dup_arguments(const StudyRun& run, const std::string& checkpoint, int ngram) {
  return {"eval",
          "--checkpoint",
          checkpoint,
          "--task",
          "dup",
          "--ngram",
          std::to_string(ngram),
          "--lengths",
          std::to_string(run.dup_length),
          "--samples",
          std::to_string(run.eval_samples),
          "--threads",
          "1",
          "--json"};
}

std::vector<std::string> pigeonhole_arguments(const StudyRun& run, const std::string& checkpoint) {
  return {"eval",
          "--checkpoint",
          checkpoint,
          "--lengths",
          join(run.pigeonhole_lengths),
          "--pigeonhole",
          join(run.pigeonhole_bits),
          "--threads",
          "1",
          "--json"};
}

std::vector<std::string> quantized_arguments(const StudyRun& run, const std::string& checkpoint) {
  return {"eval",
          "--checkpoint",
          checkpoint,
          "--lengths",
          join(run.eval_lengths),
          "--samples",
          std::to_string(run.eval_samples),
          "--quantize-state",
          join(run.quantized_bits),
          "--threads",
          "1",
          "--json"};
}

}  // namespace copyproof::trained
