// Fuzz target: `certify --weights FILE`, the certificate's reader of outside input. A weights
// file (construct --weights) is loaded and certified for the D, n and L_max its metadata
// records, read as certify reads them without flags (read_copy_derivation: the integers and
// the JSON "slices" and "parameters"), at one of the six precisions (chosen by the input's
// length, so every precision is reached). The certificate reads every weight of a
// model it did not build, so this is where changed, NaN or mis-shaped weights arrive.
// The promises, each a finding when broken:
//  - the loader and read_copy_derivation return or throw SafetensorsError;
//  - certify_copy_transformer returns or throws std::invalid_argument (the CLI's exit 2);
//  - "certified" holds exactly when every inequality holds, and an inequality holds only
//    if lhs < rhs (so NaN weights can never be certified).
// (No C++ code reads the certificate JSON back: its checker is scripts/check_certificate.py.)

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "copyproof/common/safetensors.hpp"
#include "copyproof/construction/certificate.hpp"
#include "copyproof/construction/copy_transformer_file.hpp"
#include "copyproof/construction/copy_transformer_shape.hpp"
#include "copyproof/construction/transformer_file.hpp"

namespace {

namespace cx = copyproof::construction;

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
  // Without the derivation certify requires the three flags; with it, a corrupt one is
  // refused naming its key (exit 2), as are D and n outside certify's own ranges.
  if (!cx::has_copy_derivation(file)) return 0;
  cx::CopyDerivation derivation;
  try {
    derivation = cx::read_copy_derivation(file);
  } catch (const copyproof::SafetensorsError&) {
    return 0;
  }
  const int alphabet = derivation.alphabet, ngram = derivation.ngram;
  const std::int64_t max_length = derivation.max_length;
  if (alphabet < 2 || alphabet > 65536 || ngram < 1 || max_length < 1) return 0;
  constexpr cx::CertificatePrecision kPrecisions[] = {cx::CertificatePrecision::exact, cx::CertificatePrecision::fp64,
                                                      cx::CertificatePrecision::fp32,  cx::CertificatePrecision::bf16,
                                                      cx::CertificatePrecision::fp16,  cx::CertificatePrecision::int8};
  cx::Certificate c;
  try {
    c = cx::certify_copy_transformer(*model, alphabet, ngram, max_length, kPrecisions[size % 6]);
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
