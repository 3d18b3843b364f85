// Gradient checks of the Mamba block and the LSTM layer (two sequences each, so the
// per-sequence scans and the strided LSTM steps are both exercised), plus the check that
// running a sequence in chunks through the recurrent state equals running it whole.

#include <copyproof/trained/lstm_layer.hpp>
#include <copyproof/trained/mamba_block.hpp>

#include "gradcheck.hpp"

using namespace copyproof;
using namespace copyproof::trained;
using namespace copyproof::trained::test;

namespace {

MambaShape small_mamba() {
  MambaShape s;
  s.width = 4;
  s.inner = 6;
  s.state = 3;
  s.dt_rank = 2;
  s.conv = 4;
  return s;
}

std::vector<double> random_params(std::size_t n, Rng& rng, double scale) {
  std::vector<double> p(n);
  for (double& x : p) x = scale * rng.normal();
  return p;
}

}  // namespace

TEST_CASE("Mamba block backward matches finite differences") {
  Rng rng(11);
  const MambaShape shape = small_mamba();
  ParameterLayout layout;
  const MambaSlots slots = add_mamba_slots(layout, "", shape);
  std::vector<double> params = random_params(layout.size(), rng, 0.5);
  const int B = 2, T = 5;
  Matrix<double> in = random_matrix(B * T, shape.width, rng);
  const Matrix<double> R = random_matrix(B * T, shape.width, rng);
  MambaActivations<double> acts;
  auto loss = [&] {
    Matrix<double> out(B * T, shape.width);
    mamba_block_forward<double>(out, acts, in, params.data(), slots, shape, B, T, nullptr);
    return project(out, R);
  };
  loss();
  std::vector<double> grads(layout.size(), 0.0);
  Matrix<double> din = Matrix<double>::Zero(B * T, shape.width);
  mamba_block_backward<double>(din, grads.data(), R, acts, in, params.data(), slots, shape, B, T);
  std::vector<Blob> blobs{{"in", in.data(), static_cast<std::size_t>(in.size()), din.data()}};
  for (const auto& s : layout.slots())
    blobs.push_back({s.name, params.data() + s.slot.offset, s.slot.size(), grads.data() + s.slot.offset});
  COPYPROOF_CHECK_GRADIENTS(blobs, loss);
}

TEST_CASE("LSTM layer backward matches finite differences") {
  Rng rng(12);
  const int I = 3, H = 4, B = 2, T = 5;
  ParameterLayout layout;
  const LstmSlots slots = add_lstm_slots(layout, "", I, H);
  std::vector<double> params = random_params(layout.size(), rng, 0.5);
  Matrix<double> in = random_matrix(B * T, I, rng);
  const Matrix<double> R = random_matrix(B * T, H, rng);
  LstmActivations<double> acts;
  Matrix<double> out(B * T, H);
  auto loss = [&] {
    lstm_forward<double>(out, acts, in, params.data(), slots, H, B, T, nullptr);
    return project(out, R);
  };
  loss();
  std::vector<double> grads(layout.size(), 0.0);
  Matrix<double> din = Matrix<double>::Zero(B * T, I);
  lstm_backward<double>(din, grads.data(), R, acts, out, in, params.data(), slots, H, B, T);
  std::vector<Blob> blobs{{"in", in.data(), static_cast<std::size_t>(in.size()), din.data()}};
  for (const auto& s : layout.slots())
    blobs.push_back({s.name, params.data() + s.slot.offset, s.slot.size(), grads.data() + s.slot.offset});
  COPYPROOF_CHECK_GRADIENTS(blobs, loss);
}

// Tolerance 1e-12: the chunked run does the same float64 operations in the same order
// except the conv/scan start, so only rounding (~1e-16 per op) can differ.
TEST_CASE("Mamba block: a sequence run in chunks through MambaState equals the whole run") {
  Rng rng(13);
  const MambaShape shape = small_mamba();
  ParameterLayout layout;
  const MambaSlots slots = add_mamba_slots(layout, "", shape);
  const std::vector<double> params = random_params(layout.size(), rng, 0.5);
  const int T = 7;
  const Matrix<double> in = random_matrix(T, shape.width, rng);
  MambaActivations<double> acts;
  Matrix<double> whole(T, shape.width);
  mamba_block_forward<double>(whole, acts, in, params.data(), slots, shape, 1, T, nullptr);
  MambaState<double> state{Matrix<double>::Zero(shape.conv - 1, shape.inner),
                           Matrix<double>::Zero(1, shape.inner * shape.state)};
  Matrix<double> chunked(T, shape.width);
  int t = 0;
  for (int len : {2, 1, 1, 3}) {
    Matrix<double> out(len, shape.width);
    mamba_block_forward<double>(out, acts, in.middleRows(t, len), params.data(), slots, shape, 1, len, &state);
    chunked.middleRows(t, len) = out;
    t += len;
  }
  CHECK((whole - chunked).cwiseAbs().maxCoeff() < 1e-12);
}
