#pragma once
// scores[r] = <q[r], k[probe[r]]> over `stride` int8 entries, or 0 where probe[r] < 0: the
// integer score of the one key whose softmax mass the verifier reports.
// Launcher checks: stride >= 1, every probe < keys (on the host copy).
// CPU twin: construction::integer_score (integer_attention.hpp).

#include <cstdint>

namespace copyproof::gpu {

void launch_probe_scores(const std::int8_t* q, const long long* probe, const long long* host_probe, long long count,
                         const std::int8_t* k, long long keys, int stride, std::int32_t* scores);

}  // namespace copyproof::gpu
