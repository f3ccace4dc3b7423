#include "dgnam/soak_run.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "dgnam/error.h"
#include "dgnam/seconds_since.h"
#include "dgnam/worker.h"

namespace dgnam {

double SoakReport::growth() const {
    return resident_after_early > 0
               ? double(resident_at_end - resident_after_early) / double(resident_after_early)
               : 0.0;
}

std::int64_t resident_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages_total = 0, pages_resident = 0;
    if (!(statm >> pages_total >> pages_resident))
        return 0;
    return pages_resident * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
}

SoakReport soak_worker(ModelPack pack, const c10::Device& device, int count, int iterations,
                       int early) {
    if (count < 1 || iterations < 1)
        throw Error("a soak run needs at least one visualisation of at least one step");
    std::mutex mutex;
    std::condition_variable ended;
    std::uint64_t last_ended = 0;
    RunEnd last_end = RunEnd::Completed;
    std::string last_message;
    WorkerEvents events;
    events.run_finished = [&](std::uint64_t id, RunEnd end, const std::string& message) {
        std::lock_guard<std::mutex> lock(mutex);
        last_ended = id;
        last_end = end;
        last_message = message;
        ended.notify_all();
    };
    const bool dgn = pack.generator != nullptr;
    const std::int64_t units = pack.classifier().layer(pack.classifier().output_layer()).units();
    Worker worker(std::move(pack), device, events);

    SoakReport report;
    report.visualisations = count;
    report.iterations = iterations;
    report.early = std::min(early, count);
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t frame_seen = 0;
    for (int i = 0; i < count; ++i) {
        RunRequest request;
        request.units = {i % units};
        request.method = dgn ? Method::Dgn : Method::Pixel;
        request.params.iterations = iterations;
        request.params.seed = static_cast<std::uint64_t>(i);
        const std::uint64_t id = worker.start(request);
        std::unique_lock<std::mutex> lock(mutex);
        // The front end's side: poll the mailbox for the newest frame while the run goes on.
        while (
            !ended.wait_for(lock, std::chrono::milliseconds(5), [&] { return last_ended == id; })) {
            lock.unlock();
            if (worker.frames().newer_than(frame_seen))
                ++report.frames_read;
            lock.lock();
        }
        if (last_end != RunEnd::Completed)
            throw Error("soak run " + std::to_string(i + 1) + " of " + std::to_string(count) +
                        " ended " + to_string(last_end) + ": " + last_message);
        lock.unlock();
        if (i + 1 == report.early)
            report.resident_after_early = resident_memory_bytes();
    }
    report.resident_at_end = resident_memory_bytes();
    report.seconds = seconds_since(started);
    return report;
}

}  // namespace dgnam
