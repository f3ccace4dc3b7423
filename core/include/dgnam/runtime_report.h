#pragma once
// What the maths runs on: the BLAS behind LibTorch, threads, oneDNN, devices. `dgnam doctor`,
// `dgnam bench` and the studio's About box show it; the reference BLAS (Debian's default
// libblas.so.3 without an optimised one installed) makes every fully connected layer several
// times slower, so it is a warning.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dgnam {

struct RuntimeReport {
    std::string libtorch_version;
    std::string blas;       // "OpenBLAS 0.3.21 ...", "reference BLAS (netlib)", ...
    std::string blas_file;  // the library file sgemm_ was found in, links resolved
    bool reference_blas = false;
    int blas_threads = 0;  // OpenBLAS's own threads; 0 = not known
    int threads = 0;       // LibTorch's intra-op threads
    int hardware_threads = 0;
    bool onednn = false;  // oneDNN (MKL-DNN) convolutions
    // Frozen fully connected layers through oneDNN's sgemm (dgnam_core built with libdnnl-dev)
    bool onednn_fully_connected = false;
    bool mkl = false;
    // The CPU's own bfloat16 instructions (avx512_bf16 or amx_bf16 in /proc/cpuinfo), which make
    // --precision bfloat16 pay off; without them oneDNN emulates bfloat16, slower than float32.
    bool cpu_bfloat16 = false;
    std::vector<std::string> devices;
    std::vector<std::string> warnings;

    std::string summary_line() const;  // one line for benchmarks' output
    std::string text() const;          // a line per item, then the warnings
    nlohmann::json to_json() const;
};

// Reads the running process: where sgemm_ resolves, LibTorch's configuration and devices.
RuntimeReport runtime_report();

// GFLOP/s of a float matrix product of size n x n x n on the current threads (through the BLAS),
// the median of `repeats` runs.
double measure_matrix_product_gflops(int n = 512, int repeats = 5);

}  // namespace dgnam
