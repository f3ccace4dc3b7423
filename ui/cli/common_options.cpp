#include "common_options.h"

#include "dgnam/device.h"

namespace dgnam::cli {

void CommonOptions::add_to(CLI::App& app) {
    // Given twice (before and after the command's name), the last one counts.
    const auto last = CLI::MultiOptionPolicy::TakeLast;
    app.add_option("--pack", pack, "Model pack folder (default: the bundled pack)")
        ->multi_option_policy(last);
    app.add_option("--device", device, "auto, cpu, cuda or cuda:N")
        ->capture_default_str()
        ->multi_option_policy(last);
    app.add_option("--threads", threads, "CPU threads for the maths (0 = all cores)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024))
        ->multi_option_policy(last);
    app.add_option("--precision", precision,
                   "float32, or bfloat16: convolutions in bfloat16 (about 1.5x faster at paper "
                   "scale on CPUs with AVX512-BF16; results within about 1% of float32)")
        ->capture_default_str()
        ->check(CLI::IsMember({"float32", "bfloat16"}))
        ->multi_option_policy(last);
    app.add_flag("--allow-torchscript", allow_torchscript,
                 "Open TorchScript models in the pack (they run code from their files)");
}

ModelPack CommonOptions::load_pack() const {
    set_compute_threads(threads);
    ModelPack loaded =
        load_model_pack(pack.empty() ? default_pack_folder() : std::filesystem::path(pack),
                        allow_torchscript ? PackTrust::AllowTorchScript : PackTrust::DataOnly);
    loaded.set_execution_mode(execution_mode());
    return loaded;
}

ExecutionMode CommonOptions::execution_mode() const {
    return ExecutionMode::fast_in(precision);
}

c10::Device CommonOptions::parsed_device() const {
    return parse_device(device);
}

}  // namespace dgnam::cli
