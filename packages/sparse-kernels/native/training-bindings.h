// Registers the training kernels' N-API functions on the addon's exports (training-bindings.cc).
#pragma once
#include <napi.h>

#include "kernels.h"

namespace pofa {

using ParallelSource = Parallel (*)();
using IsaSource = const char* (*)();

void register_training_bindings(Napi::Env env, Napi::Object exports, ParallelSource parallel, IsaSource isa);

}  // namespace pofa
