{
  "target_defaults": {
    "cflags_cc": ["-std=gnu++17", "-O3", "-fPIC", "-ffp-contract=off", "-fno-math-errno"],
    "cflags_cc!": ["-std=gnu++20"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"]
  },
  "targets": [
    {
      "target_name": "pofa_kernels_scalar",
      "type": "static_library",
      "sources": ["kernels-scalar.cc", "training-scalar.cc"]
    },
    {
      "target_name": "pofa_sparse_kernels",
      "sources": ["addon.cc", "thread-pool.cc", "training-bindings.cc"],
      "dependencies": ["pofa_kernels_scalar"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["pofa_kernels_avx2", "pofa_kernels_avx512"],
          "defines": ["POFA_HAVE_X86_BUILDS"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "pofa_kernels_avx2",
          "type": "static_library",
          "sources": ["kernels-avx2.cc", "training-avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"]
        },
        {
          "target_name": "pofa_kernels_avx512",
          "type": "static_library",
          "sources": ["kernels-avx512.cc", "training-avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni", "-mavx2", "-mfma", "-Wno-uninitialized"]
        }
      ]
    }]
  ]
}
