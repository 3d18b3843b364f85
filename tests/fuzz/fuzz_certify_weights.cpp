// Fuzz target: `certify --weights FILE`, the certificate's reader of outside input. A weights
// file (construct --weights) is loaded and certified for the D, n and L_max its metadata
// records, as certify does without flags, at one of the six precisions (chosen by the
// input's length, so every precision is reached). The certificate reads every weight of a
// model it did not build, so this is where changed, NaN or mis-shaped weights arrive.
// The promises, each a finding when broken:
//  - the loader returns a model or throws SafetensorsError;
//  - certify_copy_transformer returns or throws std::invalid_argument (the CLI's exit 2);
//  - "certified" holds exactly when every inequality holds, and an inequality holds only
//    if lhs < rhs (so NaN weights can never be certified).
// (No C++ code reads the certificate JSON back: its checker is scripts/check_certificate.py.)

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/transformer_file.hpp"

namespace {

namespace cx = copyproof::construction;

std::optional<std::int64_t> metadata(const copyproof::SafetensorsFile& file, const char* key, std::int64_t lo,
                                     std::int64_t hi) {
  const auto it = file.metadata.find(key);
  if (it == file.metadata.end()) return std::nullopt;
  std::int64_t v = 0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || ptr != end || v < lo || v > hi) return std::nullopt;  // certify refuses it (exit 2)
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  copyproof::SafetensorsFile file;
  std::optional<cx::Transformer> model;
  try {
    file = copyproof::parse_safetensors(bytes, "input");
    model = cx::transformer_from_safetensors(file);
  } catch (const copyproof::SafetensorsError&) {
    return 0;
  }
  const auto alphabet = metadata(file, "alphabet", 2, 65536);
  const auto ngram = metadata(file, "ngram", 1, cx::kMaxDModel);
  const auto max_length = metadata(file, "max_length", 1, cx::kMaxCertifiedLength);
  if (!alphabet || !ngram || !max_length) return 0;
  constexpr cx::CertificatePrecision kPrecisions[] = {cx::CertificatePrecision::exact, cx::CertificatePrecision::fp64,
                                                      cx::CertificatePrecision::fp32,  cx::CertificatePrecision::bf16,
                                                      cx::CertificatePrecision::fp16,  cx::CertificatePrecision::int8};
  cx::Certificate c;
  try {
    c = cx::certify_copy_transformer(*model, static_cast<int>(*alphabet), static_cast<int>(*ngram), *max_length,
                                     kPrecisions[size % 6]);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  bool all_hold = !c.inequalities.empty();
  for (const cx::Inequality& q : c.inequalities) {
    if (q.holds && !(q.lhs < q.rhs)) std::abort();  // a "holds" the numbers do not show
    all_hold = all_hold && q.holds;
  }
  if (c.certified != all_hold) std::abort();
  return 0;
}
