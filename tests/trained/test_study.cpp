// The study runner and its summary (trained/study*.hpp, `copyproof study`): intervals and
// thresholds by hand, a tiny study run, skipped and resumed; the Theorem 2.7 check fires on
// a planted point through the library and the CLI; and no committed state-sweep result
// beats Theorem 2.7.

#include <copyproof/common/json_parse.hpp>
#include <copyproof/trained/pigeonhole.hpp>
#include <copyproof/trained/result_files.hpp>
#include <copyproof/trained/study.hpp>
#include <copyproof/trained/study_summary.hpp>
#include <copyproof/trained/tasks.hpp>

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <csignal>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

using namespace copyproof::trained;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run run(const std::string& args) {
  const std::string base = (fs::temp_directory_path() / ("copyproof_study_" + std::to_string(::getpid()))).string();
  const std::string cmd = std::string(COPYPROOF_BINARY) + " " + args + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return r;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("copyproof_study_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::string slurp_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A finished state-sweep run "lstm-h2-s1" (1 layer, hidden 2: 4 numbers, 128 bits) whose
// eval says it copies `length` letters with string accuracy `acc`; with its state quantized
// to 1 bit per number (4 bits, 16 states) it copies `q_length` letters with accuracy
// `q_acc`, and `q_holds` is what the file says of copied <= distinct states.
// `alphabet`: the "alphabet" key of both eval files (none when 0: files from before --alphabet).
void plant_lstm_h2(const fs::path& data, int length, double acc, int q_length = 1, double q_acc = 0.0,
                   bool q_holds = true, int alphabet = 0, int q_alphabet = -1) {
  const fs::path dir = data / "state-sweep" / "lstm-h2-s1";
  write(dir / "config.json", R"({"study":"state-sweep","run":"lstm-h2-s1","model":"lstm","seed":1,
    "train":{"batch":32,"final_loss":0.5,"seconds":1.0}})");
  write(dir / "train.jsonl",
        R"({"step":250,"loss":1.0,"eval":{"length":32,"string_accuracy":0.1,"token_accuracy":0.5}})"
        "\n");
  nlohmann::json eval = {
      {"model", "lstm"},
      {"params", 100},
      {"state_numbers", 4},
      {"config", {{"layers", 1}, {"width", 2}}},
      {"trained_lengths", {1, 32}},
      {"results", {{{"length", length}, {"samples", 200}, {"string_accuracy", acc}, {"token_accuracy", acc}}}}};
  if (alphabet > 0) eval["alphabet"] = alphabet;
  write(dir / "eval.json", eval.dump());
  nlohmann::json quantized = {{"quantized",
                               {{{"bits", 1},
                                 {"length", q_length},
                                 {"samples", 200},
                                 {"string_accuracy", q_acc},
                                 {"token_accuracy", q_acc},
                                 {"copied", 0},
                                 {"distinct_states", 16},
                                 {"holds", q_holds}}}}};
  if (q_alphabet < 0) q_alphabet = alphabet;
  if (q_alphabet > 0) quantized["alphabet"] = q_alphabet;
  write(dir / "eval-quantized.json", quantized.dump());
}

}  // namespace

TEST_CASE("mean and 95% Student-t interval by hand") {
  // {1, 2, 3}: mean 2, s = 1, half width t / sqrt(3), where with 2 degrees of freedom the
  // t quantile has the closed form t_p = (2p - 1) / sqrt(2 p (1 - p)): t_{0.975} = 4.3026527...
  const double t = 0.95 / std::sqrt(2 * 0.975 * 0.025);
  const MeanInterval m = mean_t95({1, 2, 3});
  CHECK(m.n == 3);
  CHECK(m.mean == doctest::Approx(2.0));
  REQUIRE(m.low.has_value());
  CHECK(*m.low == doctest::Approx(2.0 - t / std::sqrt(3.0)).epsilon(1e-12));
  CHECK(*m.high == doctest::Approx(2.0 + t / std::sqrt(3.0)).epsilon(1e-12));
  const MeanInterval one = mean_t95({0.7});
  CHECK(one.mean == 0.7);
  CHECK(!one.low.has_value());  // one seed: no interval
  CHECK(mean_t95({}).n == 0);
}

TEST_CASE("an accuracy's interval is clipped to [0, 1]; unclipped quantities are not") {
  // {0, 1}: mean 1/2, s = sqrt(1/2), t_{0.975,1} = 12.706: half width 12.706 / 2 = 6.35,
  // i.e. [-5.85, 6.85] unclipped, [0, 1] for an accuracy.
  const MeanInterval raw = mean_t95({0.0, 1.0});
  REQUIRE(raw.low.has_value());
  CHECK(*raw.low < -5.8);
  CHECK(*raw.high > 6.8);
  const MeanInterval acc = accuracy_mean_t95({0.0, 1.0});
  CHECK(acc.mean == doctest::Approx(0.5));
  CHECK(*acc.low == 0.0);
  CHECK(*acc.high == 1.0);
  // A narrow interval inside [0, 1] is left as it is.
  const MeanInterval inside = accuracy_mean_t95({0.5, 0.6, 0.7});
  CHECK(*inside.low == doctest::Approx(*mean_t95({0.5, 0.6, 0.7}).low));
  CHECK(*inside.low > 0.0);
  CHECK(*inside.high < 1.0);
}

TEST_CASE("copyproof study --summary: two planted seeds at 0 and 1 print the clipped interval [0.000, 1.000]") {
  const fs::path data = fresh_dir("clip");
  for (int seed : {1, 2}) {
    const fs::path dir = data / "copy-seeds" / ("transformer-s" + std::to_string(seed));
    const double acc = seed == 1 ? 0.0 : 1.0;
    write(dir / "config.json", R"({"study":"copy-seeds","run":"x","model":"transformer","seed":1,
      "train":{"batch":32,"final_loss":0.5,"seconds":1.0}})");
    write(dir / "train.jsonl", "{\"step\":250,\"loss\":1.0}\n");
    nlohmann::json eval = {
        {"model", "transformer"},
        {"params", 100},
        {"state_numbers", nullptr},
        {"config", nlohmann::json::object()},
        {"trained_lengths", {5, 20}},
        {"results", {{{"length", 20}, {"samples", 200}, {"string_accuracy", acc}, {"token_accuracy", acc}}}}};
    write(dir / "eval.json", eval.dump());
    // As eval --json writes it (the result files' check wants each result whole).
    nlohmann::json dup = {
        {"results",
         {{{"ngram", 2},
           {"results", {{{"length", 20}, {"samples", 200}, {"string_accuracy", acc}, {"token_accuracy", acc}}}}}}}};
    write(dir / "eval-dup.json", dup.dump());
  }
  const Run text = run("study copy-seeds --summary --data " + data.string());
  CHECK(text.code == 0);
  CHECK(text.out.find("length   20  string acc. 0.500 [0.000, 1.000]") != std::string::npos);
  const Run j = run("study copy-seeds --summary --json --data " + data.string());
  const auto s = nlohmann::json::parse(j.out);
  const auto& acc = s["groups"][0]["lengths"][0]["string_accuracy"];
  CHECK(acc["low"] == 0.0);
  CHECK(acc["high"] == 1.0);
  fs::remove_all(data);
}

TEST_CASE("every defined study is well formed: unique run names, known models and tasks, valid eval lengths") {
  std::set<std::string> names;
  for (const Study& study : all_studies()) {
    CAPTURE(study.name);
    CHECK(names.insert(study.name).second);
    CHECK(find_study(study.name) == &study);
    CHECK(!study.runs.empty());
    std::set<std::string> runs;
    for (const StudyRun& r : study.runs) {
      CAPTURE(r.name);
      CHECK(runs.insert(r.name).second);
      CHECK(r.name == r.group + "-s" + std::to_string(r.seed));
      ModelKind kind{};
      CHECK(parse_model_kind(r.model, kind));
      Task task{};
      REQUIRE(parse_task(r.task, task));
      CHECK(!r.eval_lengths.empty());
      for (int length : r.eval_lengths) CHECK(length >= min_string_length(task, 3));
      CHECK(r.pos.empty() == (r.model != "transformer"));
    }
  }
  // The studies the issue names, and this session's reduced copy-seeds, are all defined.
  for (const char* name : {"copy-seeds", "copy-seeds-5k", "positional", "sample-efficiency", "lookup", "lr-sweep",
                           "state-sweep", "pigeonhole"})
    CHECK(find_study(name) != nullptr);
  // Round-robin order: the first three runs of copy-seeds-5k are seed 1 of each model.
  const Study& c = *find_study("copy-seeds-5k");
  CHECK(c.runs[0].seed == 1);
  CHECK(c.runs[1].seed == 1);
  CHECK(c.runs[2].seed == 1);
  CHECK(c.runs[3].seed == 2);
}

TEST_CASE("examples to reach a threshold: the first eval point at or above it, times the batch") {
  const fs::path dir = fresh_dir("log");
  write(dir / "train.jsonl",
        "{\"step\":10,\"loss\":2}\n"
        "{\"step\":250,\"eval\":{\"string_accuracy\":0.5}}\n"
        "{\"step\":500,\"eval\":{\"string_accuracy\":0.9}}\n"
        "{\"step\":750,\"eval\":{\"string_accuracy\":0.95}}\n");
  CHECK(examples_to_reach(dir / "train.jsonl", 0.9, 32) == 500 * 32);
  CHECK(examples_to_reach(dir / "train.jsonl", 0.5, 32) == 250 * 32);
  CHECK(!examples_to_reach(dir / "train.jsonl", 0.99, 32).has_value());
  fs::remove_all(dir);
}

TEST_CASE("Theorem 2.7 at error 1/2: 128 bits over 26 letters allow at most 27 letters") {
  // L allowed iff 128 - L log2 26 > log2(1/2) = -1: 27 * 4.7004 = 126.9 < 129 < 28 * 4.7004 = 131.6.
  CHECK(bound_longest_length(128, 26) == 27);
  CHECK(bound_longest_length(0, 26) == 0);  // one state: 1 - 1/26 > 1/2 already at L = 1
  CHECK(bound_longest_length(1, 2) ==
        1);  // 2 states, 2 letters: 1 - 2/2 = 0 < 1/2 at L = 1; 1 - 2/4 = 1/2 not < 1/2 at L = 2
}

TEST_CASE("a planted point past Theorem 2.7 is flagged by the summary and fails the CLI (exit 1)") {
  const Study& sweep = *find_study("state-sweep");
  const fs::path honest = fresh_dir("honest"), planted = fresh_dir("planted");
  plant_lstm_h2(honest, 24, 0.6);   // 24 <= 27
  plant_lstm_h2(planted, 28, 0.6);  // 28 > 27: impossible for 128 bits
  auto group = [](const nlohmann::json& s) {
    for (const auto& g : s["groups"])
      if (g["group"] == "lstm-h2") return g;
    return nlohmann::json();
  };
  const auto ok = group(study_summary(sweep, honest));
  CHECK(ok["bound_longest_length_32"] == 27);
  CHECK(ok["longest_copied_length"] == nlohmann::json::array({24}));
  CHECK(ok["beats_bound"] == false);
  CHECK(group(study_summary(sweep, planted))["beats_bound"] == true);
  CHECK(run("study state-sweep --summary --data " + honest.string()).code == 0);
  const Run bad = run("study state-sweep --summary --data " + planted.string());
  CHECK(bad.code == 1);
  CHECK(bad.out.find("BEATS THE BOUND") != std::string::npos);
  fs::remove_all(honest);
  fs::remove_all(planted);
}

TEST_CASE("with the state quantized: the bound at q bits per number, and copied <= distinct states, both fire") {
  // 4 numbers at 1 bit: 16 states; 1 - 16/26 < 1/2 allows L = 1, 1 - 16/676 > 1/2 rules out L = 2.
  CHECK(bound_longest_length(4, 26) == 1);
  const Study& sweep = *find_study("state-sweep");
  const fs::path honest = fresh_dir("q_honest"), beats = fresh_dir("q_beats"), fails = fresh_dir("q_fails");
  plant_lstm_h2(honest, 2, 0.6, 1, 0.6);        // float copies 2; at 1 bit copies 1 <= 1
  plant_lstm_h2(beats, 2, 0.6, 2, 0.6);         // at 1 bit copies 2 > 1: impossible
  plant_lstm_h2(fails, 2, 0.6, 1, 0.6, false);  // a file saying more strings copied than states
  auto group = [&](const fs::path& data) {
    const auto summary = study_summary(sweep, data);  // a local: a range-for over a temporary's member would dangle
    for (const auto& g : summary["groups"])
      if (g["group"] == "lstm-h2") return g;
    return nlohmann::json();
  };
  const auto ok = group(honest);
  CHECK(ok["beats_bound"] == false);
  CHECK(ok["quantized"][0]["bits"] == 1);
  CHECK(ok["quantized"][0]["state_bits"] == 4);
  CHECK(ok["quantized"][0]["bound_longest_length"] == 1);
  CHECK(ok["fewest_bits_copying"] == nlohmann::json::array({nullptr}));  // at 1 bit it copies 1 < 2
  CHECK(group(beats)["beats_bound"] == true);
  CHECK(group(fails)["quantized_fails"] == true);
  CHECK(run("study state-sweep --summary --data " + honest.string()).code == 0);
  CHECK(run("study state-sweep --summary --data " + beats.string()).code == 1);
  const Run f = run("study state-sweep --summary --data " + fails.string());
  CHECK(f.code == 1);
  CHECK(f.out.find("MORE COPIED THAN STATES") != std::string::npos);
  fs::remove_all(honest);
  fs::remove_all(beats);
  fs::remove_all(fails);
}

TEST_CASE("Theorem 2.7 over D letters: 128 bits allow 128 letters over 2, 64 over 4, 27 over 26") {
  // L allowed iff 128 - L log2 D > -1: over 2 letters L < 129, over 4 letters 2L < 129.
  CHECK(bound_longest_length(128, 2) == 128);
  CHECK(bound_longest_length(128, 4) == 64);
  CHECK(bound_longest_length(128, 26) == 27);
  CHECK(bound_longest_length(4, 2) == 4);  // 16 states: 1 - 16/16 = 0 at L = 4, 1 - 16/32 = 1/2 not < 1/2 at L = 5
}

TEST_CASE("the summary's bound uses eval.json's alphabet (26 when absent), at 32 bits and quantized") {
  const Study& sweep = *find_study("state-sweep");
  auto group = [&](const fs::path& data) {
    const auto summary = study_summary(sweep, data);
    for (const auto& g : summary["groups"])
      if (g["group"] == "lstm-h2") return g;
    return nlohmann::json();
  };
  // 100 letters over 2: inside the 2-letter limit (128 for 128 bits), far past the 26-letter
  // one (27). Reading D as 26 here would flag an honest point; so would ignoring the key.
  const fs::path inside = fresh_dir("d2_inside"), past = fresh_dir("d2_past"), keyless = fresh_dir("d2_keyless");
  plant_lstm_h2(inside, 100, 0.6, 3, 0.6, true, 2);  // quantized: 3 letters at 1 bit (4 bits: limit 4 over 2)
  plant_lstm_h2(past, 129, 0.6, 1, 0.6, true, 2);    // 129 > 128: impossible for 128 bits even over 2 letters
  plant_lstm_h2(keyless, 100, 0.6, 1, 0.6);          // no "alphabet": 26 letters, 100 > 27
  const auto ok = group(inside);
  CHECK(ok["alphabet"] == 2);
  CHECK(ok["bound_longest_length_32"] == 128);
  CHECK(ok["quantized"][0]["bound_longest_length"] == 4);
  CHECK(ok["beats_bound"] == false);
  CHECK(group(past)["beats_bound"] == true);
  CHECK(group(keyless)["alphabet"] == 26);
  CHECK(group(keyless)["beats_bound"] == true);
  const Run ok_cli = run("study state-sweep --summary --data " + inside.string());
  CHECK(ok_cli.code == 0);
  CAPTURE(ok_cli.out);
  CHECK(ok_cli.out.find("Theorem 2.7 limit 128 (over 2 letters)") != std::string::npos);
  CHECK(run("study state-sweep --summary --data " + past.string()).code == 1);
  CHECK(run("study state-sweep --summary --data " + keyless.string()).code == 1);

  // Quantized: 5 letters at 1 bit per number (4 bits) is past the 2-letter limit of 4.
  const fs::path q_past = fresh_dir("d2_q_past");
  plant_lstm_h2(q_past, 100, 0.6, 5, 0.6, true, 2);
  CHECK(group(q_past)["beats_bound"] == true);
  CHECK(run("study state-sweep --summary --data " + q_past.string()).code == 1);

  // eval-quantized.json over other letters than eval.json: one limit cannot fit both.
  const fs::path mixed = fresh_dir("d_mixed");
  plant_lstm_h2(mixed, 10, 0.6, 1, 0.6, true, 2, 4);
  CHECK_THROWS_AS(study_summary(sweep, mixed), ResultFileError);
  const Run m = run("study state-sweep --summary --data " + mixed.string());
  CHECK(m.code == 2);
  CHECK(m.err.find("\"alphabet\" 4 differs") != std::string::npos);
  for (const auto& d : {inside, past, keyless, q_past, mixed}) fs::remove_all(d);
}

TEST_CASE("eval.json's \"alphabet\": optional (26 when absent), an integer in [2, 26] when present") {
  nlohmann::json eval = {
      {"results", {{{"length", 4}, {"samples", 10}, {"string_accuracy", 0.5}, {"token_accuracy", 0.5}}}}};
  CHECK_NOTHROW(check_eval_json(eval, "eval.json"));
  CHECK(alphabet_of_result(eval) == kDefaultAlphabet);
  eval["alphabet"] = 4;
  CHECK_NOTHROW(check_eval_json(eval, "eval.json"));
  CHECK(alphabet_of_result(eval) == 4);
  for (const nlohmann::json& bad : {nlohmann::json(1), nlohmann::json(27), nlohmann::json(4.5), nlohmann::json("4"),
                                    nlohmann::json(-2), nlohmann::json(1e300)}) {
    CAPTURE(bad.dump());
    eval["alphabet"] = bad;
    CHECK_THROWS_AS(check_eval_json(eval, "eval.json"), ResultFileError);
    CHECK_THROWS_AS(check_quantized_json({{"alphabet", bad}, {"quantized", nlohmann::json::array()}}, "q.json"),
                    ResultFileError);
    CHECK_THROWS_AS(check_pigeonhole_json({{"alphabet", bad}, {"pigeonhole", nlohmann::json::array()}}, "p.json"),
                    ResultFileError);
  }
}

TEST_CASE("state-sweep-small: copy over 4 letters, three seeds, eval past the smallest state's limit") {
  const Study& s = *find_study("state-sweep-small");
  std::set<std::string> groups;
  std::set<std::uint64_t> seeds;
  for (const StudyRun& r : s.runs) {
    CAPTURE(r.name);
    groups.insert(r.group);
    seeds.insert(r.seed);
    const auto at = std::find(r.train_flags.begin(), r.train_flags.end(), "--alphabet");
    REQUIRE(at != r.train_flags.end());
    REQUIRE(at + 1 != r.train_flags.end());
    CHECK(*(at + 1) == "4");
    CHECK(r.quantized_bits.empty() == (r.model == "transformer"));
    // lstm-h2's 4 state numbers at 32 bits: 128 bits, a limit of 64 letters over 4; the eval goes past it.
    CHECK(r.eval_lengths.back() > bound_longest_length(128, 4));
  }
  CHECK(groups.size() == 13);  // 6 LSTMs, 6 Mambas, 1 transformer
  CHECK(seeds == std::set<std::uint64_t>{1, 2, 3});
  CHECK(s.runs.size() == 39);
  CHECK(s.runs[12].seed == 1);  // seed-major: every model's seed 1 first
  CHECK(s.runs[13].seed == 2);
}

TEST_CASE("copyproof study smoke: runs, writes the layout, skips finished runs, redoes partial ones") {
  const fs::path data = fresh_dir("data"), ck = fresh_dir("ck");
  const std::string args = "study smoke --data " + data.string() + " --checkpoints " + ck.string();
  const Run first = run(args);
  CHECK(first.code == 0);
  const fs::path dir = data / "smoke" / "transformer-s1";
  for (const char* f : {"config.json", "train.jsonl", "eval.json", "eval-dup.json"})
    CHECK(fs::is_regular_file(dir / f));
  const auto config = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  CHECK(config["study"] == "smoke");
  CHECK(config["run"] == "transformer-s1");
  CHECK(config["model"] == "transformer");
  CHECK(config["seed"] == 1);
  CHECK(config["pos"] == "hard-alibi");
  CHECK(config["train"]["steps"] == 20);
  const auto dup = nlohmann::json::parse(std::ifstream(dir / "eval-dup.json"));
  CHECK(dup["results"].size() == 2);
  CHECK(dup["results"][0]["task"] == "dup");
  const auto before = fs::last_write_time(dir / "config.json");

  const Run again = run(args);
  CHECK(again.code == 0);
  CHECK(again.err.find("skipped") != std::string::npos);
  CHECK(fs::last_write_time(dir / "config.json") == before);

  // A run stopped half-way (no config.json, a stale temporary) is redone from scratch.
  fs::remove(dir / "config.json");
  write(dir / "eval.json.tmp", "partial");
  const Run resumed = run(args);
  CHECK(resumed.code == 0);
  CHECK(fs::is_regular_file(dir / "config.json"));
  CHECK(!fs::exists(dir / "eval.json.tmp"));

  const Run summary = run("study smoke --summary --json --data " + data.string());
  CHECK(summary.code == 0);
  const auto s = nlohmann::json::parse(summary.out);
  CHECK(s["groups"][0]["finished"].size() == 1);
  CHECK(s["groups"][0]["lengths"][0]["string_accuracy"]["n"] == 1);

  // The LSTM run's quantized-state file, and its place in the summary.
  const fs::path lstm = data / "smoke" / "lstm-s1";
  const auto quantized = nlohmann::json::parse(std::ifstream(lstm / "eval-quantized.json"));
  CHECK(quantized["quantized"].size() == 4);                             // 2 bit widths x 2 lengths
  CHECK(quantized["quantized"][0]["distinct_states"].get<int>() <= 16);  // 4 numbers x 1 bit
  CHECK(s["groups"][1]["group"] == "lstm");
  CHECK(s["groups"][1]["quantized"].size() == 2);
  CHECK(s["groups"][1]["quantized"][0]["state_bits"] == 4);
  CHECK(s["groups"][1]["quantized_fails"] == false);

  // A file added to a finished run is computed from its checkpoint, the rest left alone...
  const auto lstm_config = fs::last_write_time(lstm / "config.json");
  const std::string quantized_text = slurp_file(lstm / "eval-quantized.json");
  fs::remove(lstm / "eval-quantized.json");
  const Run extended = run(args);
  CHECK(extended.code == 0);
  CHECK(slurp_file(lstm / "eval-quantized.json") == quantized_text);
  CHECK(fs::last_write_time(lstm / "config.json") == lstm_config);
  // ...but not from a checkpoint that does not reproduce eval.json...
  fs::remove(lstm / "eval-quantized.json");
  const std::string eval_text = slurp_file(lstm / "eval.json");
  auto eval = nlohmann::json::parse(eval_text);
  eval["results"][0]["string_accuracy"] = 0.123;
  write(lstm / "eval.json", eval.dump());
  const Run mismatch = run(args);
  CHECK(mismatch.code == 1);
  CHECK(mismatch.err.find("does not reproduce") != std::string::npos);
  CHECK(!fs::exists(lstm / "eval-quantized.json"));
  // ...nor without one.
  write(lstm / "eval.json", eval_text);
  fs::remove(ck / "smoke" / "lstm-s1.safetensors");
  const Run gone = run(args);
  CHECK(gone.code == 1);
  CHECK(gone.err.find("is gone") != std::string::npos);
  CHECK(run("study nosuch").code == 2);
  fs::remove_all(data);
  fs::remove_all(ck);
}

TEST_CASE("copyproof study stops cleanly on SIGTERM (exit 1, the run in progress left unfinished) and resumes") {
  const fs::path data = fresh_dir("sig"), ck = fresh_dir("sigck");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(COPYPROOF_BINARY, COPYPROOF_BINARY, "study", "smoke", "--data", data.c_str(), "--checkpoints", ck.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until a run is in progress (a temporary file exists), then stop the study.
  auto in_progress = [&] {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(data, ec))
      if (e.path().extension() == ".tmp") return true;
    return false;
  };
  for (int i = 0; i < 20000 && !in_progress(); ++i) ::usleep(1000);
  REQUIRE(in_progress());
  ::kill(pid, SIGTERM);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(!fs::exists(data / "smoke" / "transformer-s1" / "config.json"));  // stopped before it finished
  CHECK(!fs::exists(data / "smoke" / "lstm-s1" / "config.json"));
  // The same command resumes and finishes every run.
  CHECK(run("study smoke --data " + data.string() + " --checkpoints " + ck.string()).code == 0);
  CHECK(fs::exists(data / "smoke" / "transformer-s1" / "config.json"));
  CHECK(fs::exists(data / "smoke" / "lstm-s1" / "config.json"));
  fs::remove_all(data);
  fs::remove_all(ck);
}

TEST_CASE("pigeonhole check on a tiny LSTM: copied <= distinct states, and a collision witness") {
  ModelConfig mc = default_config(ModelKind::lstm, kVocab);
  mc.layers = 1;
  mc.width = 2;  // 4 state numbers: at 1 bit each at most 16 states for 26 strings
  const auto net = make_network<float>(mc);
  Buffer<float> params(net->parameter_count());
  net->init(params.data(), 3);
  const PigeonholeResult r = pigeonhole_check(*net, params.data(), 1, 1);
  CHECK(r.strings == 26);
  CHECK(r.distinct_states <= 16);  // 2^(q N) = 2^4
  CHECK(r.copied <= r.distinct_states);
  CHECK(r.holds);
  REQUIRE(r.witness.has_value());  // 26 strings > 16 states: two must collide
  CHECK(r.witness->a != r.witness->b);
  CHECK(r.witness->answer_a == r.witness->answer_b);  // same state, same answer
  CHECK(!(r.witness->a_copied && r.witness->b_copied));
  CHECK_THROWS(pigeonhole_check(*net, params.data(), 5, 1));
  CHECK_THROWS(
      pigeonhole_check(*make_network<float>(default_config(ModelKind::transformer, kVocab)), params.data(), 1, 1));
}

TEST_CASE("pigeonhole over D letters enumerates D^L strings: 2^5 = 32 over two letters") {
  CHECK(pigeonhole_max_length(26) == 4);  // 26^4 = kPigeonholeMaxStrings
  CHECK(pigeonhole_max_length(2) == 18);  // 2^18 = 262,144 <= 456,976 < 2^19
  CHECK(pigeonhole_max_length(4) == 9);   // 4^9 = 262,144 <= 456,976 < 4^10
  CHECK(pigeonhole_strings(2, 5) == 32);
  std::set<std::vector<int>> enumerated;  // the 32 strings: all different, over letters 0-1 only
  for (std::int64_t i = 0; i < 32; ++i) {
    const std::vector<int> x = pigeonhole_string(i, 5, 2);
    for (int c : x) CHECK((c == 0 || c == 1));
    enumerated.insert(x);
  }
  CHECK(enumerated.size() == 32u);
  CHECK(pigeonhole_string(5, 3, 2) == std::vector<int>{1, 0, 1});
  ModelConfig mc = default_config(ModelKind::lstm, kVocab);
  mc.layers = 1;
  mc.width = 2;  // 4 state numbers: at 1 bit each at most 16 states for 32 strings
  const auto net = make_network<float>(mc);
  Buffer<float> params(net->parameter_count());
  net->init(params.data(), 3);
  const PigeonholeResult r = pigeonhole_check(*net, params.data(), 5, 1, 2);
  CHECK(r.alphabet == 2);
  CHECK(r.strings == 32);
  CHECK(r.distinct_states <= 16);
  CHECK(r.copied <= r.distinct_states);
  REQUIRE(r.witness.has_value());  // 32 strings > 16 states
  for (const auto* x : {&r.witness->a, &r.witness->b}) {
    CHECK(x->size() == 5u);
    for (int c : *x) CHECK((c == 0 || c == 1));
  }
  CHECK_THROWS(pigeonhole_check(*net, params.data(), 19, 1, 2));  // 2^19 strings: past the cap
  CHECK_THROWS(pigeonhole_check(*net, params.data(), 1, 1, 1));
  CHECK_THROWS(pigeonhole_check(*net, params.data(), 1, 1, 27));
}

TEST_CASE("train --alphabet 2: eval, --quantize-state and --pigeonhole use the checkpoint's two letters") {
  const fs::path dir = fresh_dir("alpha2");
  const std::string ck = (dir / "lstm.safetensors").string();
  REQUIRE(run("train --model lstm --task copy --alphabet 2 --layers 1 --width 2 --steps 2 --threads 1 "
              "--eval-every 0 --out " +
              ck)
              .code == 0);
  const Run e = run("eval --checkpoint " + ck + " --lengths 3 --samples 10 --json");
  REQUIRE(e.code == 0);
  CHECK(nlohmann::json::parse(e.out)["alphabet"] == 2);
  const Run p = run("eval --checkpoint " + ck + " --lengths 5 --pigeonhole 1 --json");
  REQUIRE(p.code == 0);
  const auto pj = nlohmann::json::parse(p.out);
  CHECK(pj["alphabet"] == 2);
  CHECK(pj["pigeonhole"][0]["strings"] == 32);
  CHECK(pj["pigeonhole"][0]["holds"] == true);
  const Run q = run("eval --checkpoint " + ck + " --lengths 3 --samples 10 --quantize-state 2 --json");
  REQUIRE(q.code == 0);
  CHECK(nlohmann::json::parse(q.out)["alphabet"] == 2);
  // --alphabet overrides the checkpoint's: over 26 letters, L = 5 is past the enumeration cap.
  const Run p26 = run("eval --checkpoint " + ck + " --lengths 2 --pigeonhole 1 --alphabet 26 --json");
  REQUIRE(p26.code == 0);
  CHECK(nlohmann::json::parse(p26.out)["pigeonhole"][0]["strings"] == 676);
  for (const char* bad :
       {" --lengths 5 --pigeonhole 1 --alphabet 26", " --lengths 19 --pigeonhole 1", " --lengths 3 --alphabet 1",
        " --lengths 3 --alphabet 27", " --lengths 3 --alphabet x", " --lengths 5 --task suffix"}) {
    CAPTURE(bad);
    const Run r = run("eval --checkpoint " + ck + bad);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("eval --pigeonhole through the CLI; bad input exits 2; a planted failure fails the summary") {
  const fs::path dir = fresh_dir("pig");
  const std::string ck = (dir / "lstm.safetensors").string();
  REQUIRE(run("train --model lstm --task copy --layers 1 --width 2 --steps 2 --threads 1 --eval-every 0 --out " + ck)
              .code == 0);
  const Run ok = run("eval --checkpoint " + ck + " --lengths 1 --pigeonhole 1,2 --json");
  CHECK(ok.code == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j["pigeonhole"].size() == 2);
  CHECK(j["pigeonhole"][0]["strings"] == 26);
  CHECK(j["pigeonhole"][0]["holds"] == true);
  CHECK(run("eval --checkpoint " + ck + " --lengths 5 --pigeonhole 1").code == 2);
  // --quantize-state: the same strings as plain eval; q bits on 4 numbers: <= 2^(4q) states.
  const Run q = run("eval --checkpoint " + ck + " --lengths 1,3 --samples 50 --quantize-state 1,16 --json");
  CHECK(q.code == 0);
  const auto qj = nlohmann::json::parse(q.out);
  REQUIRE(qj["quantized"].size() == 4);
  CHECK(qj["quantized"][0]["bits"] == 1);
  CHECK(qj["quantized"][0]["length"] == 1);
  CHECK(qj["quantized"][0]["distinct_states"].get<int>() <= 16);
  CHECK(qj["quantized"][1]["length"] == 3);
  for (const auto& e : qj["quantized"]) CHECK(e["holds"] == true);
  for (const char* bad :
       {" --lengths 1 --quantize-state 0", " --lengths 1 --quantize-state 17", " --lengths 1 --quantize-state x",
        " --lengths 4 --task dup --quantize-state 2", " --lengths 1 --quantize-state 2 --pigeonhole 2"}) {
    const Run r = run("eval --checkpoint " + ck + bad);
    CAPTURE(bad);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
  }
  CHECK(run("eval --checkpoint " + ck + " --lengths 1 --pigeonhole 0").code == 2);
  // A pigeonhole.json claiming more strings copied than states: the summary flags it.
  const fs::path data = fresh_dir("pigdata");
  const fs::path rd = data / "pigeonhole" / "lstm-h32-s1";
  plant_lstm_h2(data, 1, 1.0);  // gives a well-formed config/log/eval to copy
  for (const char* f : {"config.json", "train.jsonl", "eval.json"})
    fs::create_directories(rd), fs::copy_file(data / "state-sweep" / "lstm-h2-s1" / f, rd / f);
  write(rd / "pigeonhole.json",
        R"({"pigeonhole":[{"length":2,"bits":1,"strings":676,"distinct_states":10,"copied":11,"holds":false}]})");
  CHECK(run("study pigeonhole --summary --data " + data.string()).code == 1);
  write(rd / "pigeonhole.json",
        R"({"pigeonhole":[{"length":2,"bits":1,"strings":676,"distinct_states":10,"copied":10,"holds":true}]})");
  CHECK(run("study pigeonhole --summary --data " + data.string()).code == 0);
  fs::remove_all(dir);
  fs::remove_all(data);
}

// The committed results (docs/results/data, written by `copyproof study state-sweep` and
// `state-sweep-small`): no fixed-state model may copy, with string accuracy >= 1/2, a length
// Theorem 2.7 rules out for its number of float32 state bits over its alphabet (26 and 4
// letters), nor, with its state quantized, for q bits per number. If one does, the eval or
// the state count is wrong.
TEST_CASE("committed state-sweep and state-sweep-small results: no trained point beats Theorem 2.7") {
  const fs::path data = fs::path(COPYPROOF_SOURCE_DIR) / "docs" / "results" / "data";
  for (const char* name : {"state-sweep", "state-sweep-small"}) {
    CAPTURE(name);
    const auto summary = study_summary(*find_study(name), data);
    int checked = 0;
    for (const auto& g : summary["groups"]) {
      if (!g.contains("beats_bound")) continue;
      CAPTURE(g["group"].get<std::string>());
      CHECK(g["beats_bound"] == false);
      // With the state quantized: no more distinct strings copied than distinct states reached.
      if (g.contains("quantized_fails")) CHECK(g["quantized_fails"] == false);
      ++checked;
    }
    CHECK(checked > 0);  // the results are committed: an empty directory must not pass
  }
}

TEST_CASE("committed pigeonhole results: no model copies more strings than it has quantized states") {
  const fs::path data = fs::path(COPYPROOF_SOURCE_DIR) / "docs" / "results" / "data";
  const auto summary = study_summary(*find_study("pigeonhole"), data);
  int checked = 0;
  for (const auto& g : summary["groups"]) {
    if (!g.contains("pigeonhole")) continue;
    CAPTURE(g["group"].get<std::string>());
    CHECK(g["pigeonhole_fails"] == false);
    for (const auto& p : g["pigeonhole"]) {
      CHECK(p["copied"].get<long long>() <= p["distinct_states"].get<long long>());
      ++checked;
    }
  }
  CHECK(checked > 0);
}

TEST_CASE("eval-quantized.json is checked before the summary reads it") {
  using copyproof::trained::check_quantized_json;
  using copyproof::trained::ResultFileError;
  const nlohmann::json good = {{"quantized",
                                {{{"bits", 4},
                                  {"length", 3},
                                  {"string_accuracy", 0.5},
                                  {"distinct_states", 10},
                                  {"copied", 5},
                                  {"holds", true}}}}};
  CHECK_NOTHROW(check_quantized_json(good, "q"));
  auto bad = good;
  bad["quantized"][0]["length"] = 1e300;  // would be UB converted to int
  CHECK_THROWS_AS(check_quantized_json(bad, "q"), ResultFileError);
  bad = good;
  bad["quantized"][0]["string_accuracy"] = 1.5;
  CHECK_THROWS_AS(check_quantized_json(bad, "q"), ResultFileError);
  bad = good;
  bad["quantized"][0].erase("holds");
  CHECK_THROWS_AS(check_quantized_json(bad, "q"), ResultFileError);
  CHECK_THROWS_AS(check_quantized_json(nlohmann::json::array(), "q"), ResultFileError);
}

TEST_CASE("a result file nested 200,000 levels deep is refused by name, not a stack overflow (finding 16)") {
  // nlohmann parses a document of any depth, but the readers copy what they read and dump
  // a refused value into the message, both once per level: this overflowed the stack.
  const auto nested = [](int levels) { return std::string(levels, '[') + std::string(levels, ']'); };
  const std::string deep = nested(200000);
  CHECK_THROWS_AS(parse_result_json("{\"x\":" + deep + "}", "config.json"), ResultFileError);
  // The limit is exactly kMaxOutsideJsonDepth levels (json_parse.hpp).
  CHECK_NOTHROW(parse_result_json(nested(copyproof::kMaxOutsideJsonDepth), "x"));
  CHECK_THROWS_AS(parse_result_json(nested(copyproof::kMaxOutsideJsonDepth + 1), "x"), ResultFileError);
  // Through the CLI: a config.json with a deep key no reader uses (the summary copies the
  // document), then a valid config.json and a train.jsonl line whose "step" is deep (the
  // check's message dumps it). Each: exit 2, one line naming the file.
  const fs::path data = fresh_dir("deep");
  const fs::path dir = data / "copy-seeds" / "transformer-s1";
  const std::string config =
      R"({"study":"copy-seeds","run":"transformer-s1","model":"transformer","seed":1,"train":{"batch":32})";
  const std::string result = R"({"length":20,"samples":200,"string_accuracy":1,"token_accuracy":1})";
  write(dir / "eval.json", R"({"results":[)" + result + "]}");
  write(dir / "eval-dup.json", R"({"results":[{"ngram":2,"results":[)" + result + "]}]}");
  write(dir / "train.jsonl", "{\"step\":250}\n");
  write(dir / "config.json", config + ",\"x\":" + deep + "}");
  Run r = run("study copy-seeds --summary --data " + data.string());
  CHECK(r.code == 2);
  CHECK(r.err.find("config.json") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  write(dir / "config.json", config + "}");
  write(dir / "train.jsonl", "{\"step\":" + deep + "}\n");
  r = run("study copy-seeds --summary --data " + data.string());
  CHECK(r.code == 2);
  CHECK(r.err.find("train.jsonl") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  fs::remove_all(data);
}
