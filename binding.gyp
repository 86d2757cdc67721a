{
  "targets": [
    {
      "target_name": "spmon",
      "sources": [
        "native/addon.cc",
        "native/parse.cc",
        "native/fileio.cc",
        "native/proc_reader.cc",
        "native/cgroup_reader.cc",
        "native/host_reader.cc",
        "native/signal.cc",
        "native/process_ops.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"]
    }
  ]
}
