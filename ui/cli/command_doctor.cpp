// `dgnam doctor`: what the maths runs on, with a warning for a slow set-up.
#include <cstdio>

#include "commands.h"
#include "dgnam/device.h"
#include "dgnam/runtime_report.h"

namespace dgnam::cli {

Command add_doctor_command(CLI::App& app, const CommonOptions& common) {
    auto* sub = app.add_subcommand(
        "doctor", "Report the BLAS, threads, oneDNN and devices in use, and time a matrix product");
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Print the report as JSON");
    return [&common, json] {
        set_compute_threads(common.threads);
        const RuntimeReport report = runtime_report();
        const double gflops = measure_matrix_product_gflops();
        if (*json) {
            auto j = report.to_json();
            j["matrix_product_gflops"] = gflops;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("%s", report.text().c_str());
            std::printf("matrix product (512x512x512, float): %.1f GFLOP/s\n", gflops);
        }
        return 0;
    };
}

}  // namespace dgnam::cli
