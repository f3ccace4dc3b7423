#include "dgnam/device.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/cuda.h>

#include <new>
#include <thread>

#include "dgnam/error.h"
#include "dgnam/freed_memory_reuse.h"

namespace dgnam {
namespace {

// torch::cuda asks LibTorch's CUDA hooks, which answer 0 in a CPU-only build.
int cuda_device_count() {
    return static_cast<int>(torch::cuda::device_count());
}

}  // namespace

c10::Device parse_device(const std::string& text) {
    if (text == "auto")
        return cuda_device_count() > 0 ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (text == "cpu")
        return c10::Device(c10::kCPU);
    if (text == "cuda" || text.rfind("cuda:", 0) == 0) {
        int index = 0;
        if (text.size() > 5) {
            try {
                std::size_t used = 0;
                index = std::stoi(text.substr(5), &used);
                if (used != text.size() - 5)
                    throw std::invalid_argument(text);
            } catch (const std::exception&) {
                throw Error("device \"" + text + "\" is not valid; use auto, cpu, cuda or cuda:N");
            }
        }
        const int count = cuda_device_count();
        if (count == 0)
            throw Error("device \"" + text +
                        "\" requested, but this LibTorch build has no CUDA support or no GPU is "
                        "visible; use --device cpu, or build against a CUDA LibTorch");
        if (index < 0 || index >= count)
            throw Error("device \"" + text + "\" does not exist; there are " +
                        std::to_string(count) +
                        " CUDA devices (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw Error("device \"" + text + "\" is not valid; use auto, cpu, cuda or cuda:N");
}

std::vector<std::string> available_devices() {
    std::vector<std::string> out{"cpu"};
    for (int i = 0; i < cuda_device_count(); ++i)
        out.push_back("cuda:" + std::to_string(i));
    return out;
}

void set_compute_threads(int threads) {
    if (threads < 0 || threads > 1024)
        throw Error("thread count " + std::to_string(threads) +
                    " is not valid; use 0 (all) to 1024");
    if (threads == 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    // LibTorch spreads its work over its own OpenMP threads; OpenBLAS's pthreads would spin
    // (sched_yield) on the same cores between its calls. One BLAS thread: the bundled pack's
    // step 21.7 -> 6.0 ms on 2 cores, paper scale unchanged (224 -> 217 ms at batch 1).
    using SetThreads = void (*)(int);
    if (auto* set_blas_threads =
            reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set_blas_threads(1);
    keep_freed_memory_for_reuse();
}

int compute_threads() {
    return at::get_num_threads();
}

namespace {

std::string first_line(const std::exception& e) {
    const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
    std::string text = c10_error ? c10_error->what_without_backtrace() : e.what();
    return text.substr(0, text.find('\n'));
}

}  // namespace

bool is_out_of_memory(const std::exception& e) {
    if (dynamic_cast<const std::bad_alloc*>(&e) || dynamic_cast<const c10::OutOfMemoryError*>(&e))
        return true;
    if (!dynamic_cast<const c10::Error*>(&e))
        return false;
    const std::string text = first_line(e);
    for (const char* sign : {"can't allocate memory", "out of memory", "Out of Memory"})
        if (text.find(sign) != std::string::npos)
            return true;
    return false;
}

std::string out_of_memory_message(std::size_t batch, const c10::Device& device,
                                  const std::exception& e) {
    const std::string where = device.str();
    const std::string why = " (" + first_line(e) + ")";
    if (batch <= 1)
        return "one unit does not fit in the memory of " + where + why +
               ": the networks are too large for this device; pick a smaller model or another "
               "device (--device)";
    return "a batch of " + std::to_string(batch) + " units does not fit in the memory of " + where +
           why + ": lower the batch size (--batch, or the gallery's batch) to " +
           std::to_string(batch / 2) + " or less";
}

}  // namespace dgnam
