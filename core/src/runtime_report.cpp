#include "dgnam/runtime_report.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <dlfcn.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "dgnam/build_config.h"
#include "dgnam/device.h"
#include "dgnam/median.h"
#include "dgnam/seconds_since.h"

namespace dgnam {
namespace {

// Debian installs each BLAS behind the libblas.so.3 alternative; the resolved path says which.
std::string blas_name_of(const std::string& file, bool& reference) {
    reference = false;
    if (file.find("openblas") != std::string::npos) {
        // OpenBLAS says its own version and build (asked only when it is the one sgemm_ is
        // from: another library may have loaded it beside the reference BLAS).
        using ConfigFunction = char* (*)();
        if (auto* config =
                reinterpret_cast<ConfigFunction>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
            return config();
        return "OpenBLAS";
    }
    if (file.find("blis") != std::string::npos)
        return "BLIS";
    if (file.find("atlas") != std::string::npos)
        return "ATLAS";
    if (file.find("mkl") != std::string::npos)
        return "Intel MKL";
    if (file.find("/blas/") != std::string::npos) {
        reference = true;
        return "reference BLAS (netlib)";
    }
    return "unknown BLAS";
}

bool cpu_has_bfloat16_instructions() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("flags", 0) == 0)
            return line.find(" avx512_bf16") != std::string::npos ||
                   line.find(" amx_bf16") != std::string::npos;
    return false;
}

}  // namespace

RuntimeReport runtime_report() {
    RuntimeReport r;
    r.libtorch_version = TORCH_VERSION;
    r.threads = at::get_num_threads();
    r.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
    r.onednn = at::hasMKLDNN();
    r.onednn_fully_connected = DGNAM_HAVE_DNNL != 0;
    r.mkl = at::hasMKL();
    r.cpu_bfloat16 = cpu_has_bfloat16_instructions();
    r.devices = available_devices();

    if (void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_")) {
        Dl_info info{};
        if (dladdr(sgemm, &info) && info.dli_fname) {
            std::error_code ec;
            const auto resolved = std::filesystem::canonical(info.dli_fname, ec);
            r.blas_file = ec ? std::string(info.dli_fname) : resolved.string();
        }
        r.blas = blas_name_of(r.blas_file, r.reference_blas);
        using GetThreads = int (*)();
        if (r.blas_file.find("openblas") != std::string::npos)
            if (auto* threads =
                    reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
                r.blas_threads = threads();
    } else if (r.mkl) {
        r.blas = "Intel MKL (inside LibTorch)";
    } else {
        r.blas = "none found (sgemm_ is not loaded)";
    }

    if (r.reference_blas)
        r.warnings.push_back(
            "the reference BLAS is active (" + r.blas_file +
            "): fully connected layers run several times slower; install an optimised one "
            "(apt-get install libopenblas0-pthread, as packaging/install-deps.sh does)");
    if (r.threads < r.hardware_threads)
        r.warnings.push_back("LibTorch uses " + std::to_string(r.threads) + " of " +
                             std::to_string(r.hardware_threads) + " hardware threads");
    if (!r.onednn)
        r.warnings.push_back("this LibTorch has no oneDNN: convolutions take a slower path");
    if (!r.onednn_fully_connected)
        r.warnings.push_back(
            "built without oneDNN's sgemm: on the CPU, fully connected layers run through "
            "at::linear, 3-8x slower with OpenBLAS (install libdnnl-dev and rebuild, "
            "DGNAM_WITH_ONEDNN on)");
    return r;
}

std::string RuntimeReport::summary_line() const {
    return "LibTorch " + libtorch_version + ", " + blas + ", " + std::to_string(threads) +
           " threads, oneDNN " + (onednn ? "on" : "off");
}

std::string RuntimeReport::text() const {
    std::string devices_text;
    for (const auto& d : devices)
        devices_text += (devices_text.empty() ? "" : ", ") + d;
    std::string t;
    t += "LibTorch:  " + libtorch_version + "\n";
    t += "BLAS:      " + blas + (blas_file.empty() ? "" : " (" + blas_file + ")") + "\n";
    if (blas_threads > 0)
        t += "           " + std::to_string(blas_threads) +
             " BLAS thread(s); LibTorch parallelises around it\n";
    t += "threads:   " + std::to_string(threads) + " of " + std::to_string(hardware_threads) +
         " hardware threads\n";
    t += std::string("oneDNN:    ") + (onednn ? "yes" : "no") + " (convolutions), " +
         (onednn_fully_connected ? "yes" : "no") + " (fully connected layers, frozen)\n";
    t += std::string("MKL:       ") + (mkl ? "yes" : "no") + "\n";
    t += std::string("bfloat16:  ") +
         (cpu_bfloat16 ? "the CPU has bfloat16 instructions: --precision bfloat16 runs "
                         "convolutions faster"
                       : "no bfloat16 instructions in this CPU: keep --precision float32") +
         "\n";
    t += "devices:   " + devices_text + "\n";
    for (const auto& w : warnings)
        t += "warning: " + w + "\n";
    return t;
}

nlohmann::json RuntimeReport::to_json() const {
    return {{"libtorch", libtorch_version},
            {"blas", blas},
            {"blas_file", blas_file},
            {"reference_blas", reference_blas},
            {"blas_threads", blas_threads},
            {"threads", threads},
            {"hardware_threads", hardware_threads},
            {"onednn", onednn},
            {"onednn_fully_connected", onednn_fully_connected},
            {"mkl", mkl},
            {"cpu_bfloat16", cpu_bfloat16},
            {"devices", devices},
            {"warnings", warnings}};
}

double measure_matrix_product_gflops(int n, int repeats) {
    at::NoGradGuard no_grad;
    const auto a = at::rand({n, n}), b = at::rand({n, n});
    auto c = at::mm(a, b);  // warm-up
    std::vector<double> rates;
    for (int i = 0; i < std::max(repeats, 1); ++i) {
        const auto start = std::chrono::steady_clock::now();
        at::mm_out(c, a, b);
        const double s = seconds_since(start);
        rates.push_back(2.0 * n * n * n / s / 1e9);
    }
    return median(rates);
}

}  // namespace dgnam
