// copy_transformer_file.hpp: the weights file carries the derivation the library attached,
// and reading it gives that derivation back; a missing or corrupt key is named.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "copyproof/construction/copy_transformer_file.hpp"
#include "copyproof/construction/transformer_file.hpp"

using namespace copyproof;
using namespace copyproof::construction;

namespace {

void check_same(const CopyDerivation& got, const CopyDerivation& want) {
  CHECK(got.alphabet == want.alphabet);
  CHECK(got.ngram == want.ngram);
  CHECK(got.max_length == want.max_length);
  CHECK(got.vocabulary == want.vocabulary);
  REQUIRE(got.slices.size() == want.slices.size());
  for (std::size_t i = 0; i < got.slices.size(); ++i) {
    CHECK(got.slices[i].name == want.slices[i].name);
    CHECK(got.slices[i].offset == want.slices[i].offset);
    CHECK(got.slices[i].width == want.slices[i].width);
  }
  CHECK(got.code_bits == want.code_bits);
  // Exactly: the JSON writer prints doubles with enough digits to read the same bits back.
  CHECK(got.lambda == want.lambda);
  CHECK(got.alpha == want.alpha);
  CHECK(got.beta == want.beta);
  CHECK(got.bos_penalty == want.bos_penalty);
  CHECK(got.layer1_error_bound == want.layer1_error_bound);
  CHECK(got.lambda_scale == want.lambda_scale);
}

}  // namespace

TEST_CASE("weights file: the derivation written by the library is read back whole, with the model") {
  const std::string path = "/tmp/copyproof_test_derivation_" + std::to_string(::getpid()) + ".safetensors";
  struct Case {
    int D, n;
    std::int64_t L;
    double lambda_scale;
  };
  for (const Case c : {Case{2, 1, 4, 1.0}, Case{4, 3, 50, 1.0}, Case{30, 2, 100, 1.0}, Case{3, 2, 20, 0.25}}) {
    INFO("D = " << c.D << ", n = " << c.n << ", L = " << c.L << ", lambda scale " << c.lambda_scale);
    const CopyTransformer ct = build_copy_transformer(c.D, c.n, c.L, CopyTransformerOptions{c.lambda_scale});
    write_copy_transformer(path, ct);
    const SafetensorsFile file = read_safetensors(path);
    REQUIRE(has_copy_derivation(file));
    const CopyDerivation d = read_copy_derivation(file);
    check_same(d, copy_derivation(ct));
    // What it says is what was built: the parameters of (D, n, L_max), the layout's slices.
    CHECK(d.alphabet == c.D);
    CHECK(d.ngram == c.n);
    CHECK(d.max_length == c.L);
    CHECK(d.lambda == ct.parameters.lambda);
    CHECK(d.lambda_scale == c.lambda_scale);
    CHECK(d.vocabulary.size() == static_cast<std::size_t>(c.D + 3));
    CHECK(d.vocabulary.back() == "<EOS>");
    CHECK(d.slices.back().end() == ct.layout.d_model());
    const Transformer model = transformer_from_safetensors(file);
    CHECK(model.d_model() == ct.model.d_model());
    CHECK(model.embedding == ct.model.embedding);
  }
  std::remove(path.c_str());
}

TEST_CASE("weights file: a missing or corrupt derivation key is refused, naming it") {
  const CopyTransformer ct = build_copy_transformer(2, 1, 4);
  const SafetensorsFile good = copy_transformer_to_safetensors(ct);
  CHECK_FALSE(has_copy_derivation(transformer_to_safetensors(ct.model)));  // a plain model file claims none
  const auto refused = [&](const std::string& key, const std::string* value) {
    SafetensorsFile f = good;
    if (value)
      f.metadata[key] = *value;
    else
      f.metadata.erase(key);
    try {
      read_copy_derivation(f);
      FAIL("accepted a bad \"" << key << "\"");
    } catch (const SafetensorsError& e) {
      CHECK(std::string(e.what()).find(key) != std::string::npos);
    }
  };
  const std::string huge = "4294967298", negative = "-3", text = "two", fractional = "2.5", not_json = "{\"lambda\": ";
  refused("alphabet", &huge);  // 2^32 + 2 must not narrow to D = 2
  refused("ngram", &negative);
  refused("max_length", &text);
  refused("alphabet", &fractional);
  refused("parameters", &not_json);
  for (const char* key : {"ngram", "max_length", "vocabulary", "slices", "parameters"}) refused(key, nullptr);
  const std::string no_lambda = "{\"alpha\": 1}";
  refused("parameters", &no_lambda);
}
