#include "dgnam/unit_inspector.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <memory>

#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/model_pack.h"

namespace dgnam {

struct UnitInspector::Loaded {
    std::optional<ModelPack> pack;
    std::optional<LabelledImages> test_images;
};

UnitInspector::UnitInspector(std::filesystem::path pack_folder, std::filesystem::path data_folder,
                             InspectorEvents events, PackTrust trust)
    : pack_folder_(std::move(pack_folder)),
      trust_(trust),
      data_folder_(std::move(data_folder)),
      events_(std::move(events)) {
    thread_ = std::thread([this] { loop(); });
}

UnitInspector::~UnitInspector() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::uint64_t UnitInspector::find_top_images(const std::string& classifier,
                                             const Objective& objective, std::int64_t unit, int k) {
    std::uint64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = ++next_id_;
        newest_top_id_ = id;
        top_ = TopQuery{id, classifier, objective, unit, k};
    }
    wake_.notify_all();
    return id;
}

std::uint64_t UnitInspector::judge(const std::string& judge, Image8 image, std::int64_t target) {
    std::uint64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = ++next_id_;
        verdict_ = VerdictQuery{id, judge, std::move(image), target};
    }
    wake_.notify_all();
    return id;
}

bool UnitInspector::top_query_superseded(std::uint64_t id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_ || newest_top_id_ != id;
}

namespace {

// The inspector's work is a side panel's: it takes what the optimisation leaves of the cores. On
// a 2-core machine its first search of the 10,000 test images otherwise halves the first run:
// the studio showed 54-219 steps/s for the first unit against 398 without a data folder. Linux
// sets a nice value per thread, and the compute threads this one starts inherit it. Failing to
// lower it only costs speed, so the result is not checked.
void yield_the_cores() {
#if defined(__linux__)
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), UnitInspector::kNiceness);
#endif
}

}  // namespace

void UnitInspector::loop() {
    yield_the_cores();
    at::init_num_threads();
    Loaded loaded;
    for (;;) {
        std::optional<TopQuery> top;
        std::optional<VerdictQuery> verdict;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || top_ || verdict_; });
            if (stopping_)
                return;
            // Verdicts are quick and follow the live image: they go first.
            if (verdict_) {
                verdict = std::move(verdict_);
                verdict_.reset();
            } else {
                top = std::move(top_);
                top_.reset();
            }
        }
        const std::uint64_t id = verdict ? verdict->id : top->id;
        try {
            if (!loaded.pack)
                loaded.pack = load_model_pack(pack_folder_, trust_);
            if (verdict)
                answer(loaded, *verdict);
            else
                answer(loaded, *top);
        } catch (const std::exception& e) {
            if (events_.failed)
                events_.failed(id, e.what());
        }
    }
}

void UnitInspector::answer(Loaded& loaded, const VerdictQuery& query) {
    const Classifier& judge = loaded.pack->classifier(query.judge);
    VerdictAnswer answer;
    answer.id = query.id;
    answer.judge = judge.id();
    answer.target = query.target;
    answer.verdict = judge_image(judge, query.image, query.target);
    answer.predicted_label = judge.label_of(judge.output_layer(), answer.verdict.predicted);
    if (events_.verdict)
        events_.verdict(answer);
}

void UnitInspector::answer(Loaded& loaded, const TopQuery& query) {
    if (!loaded.test_images)
        loaded.test_images = load_fashion_mnist_test(data_folder_);
    const Classifier& classifier = loaded.pack->classifier(query.classifier);
    const std::string layer =
        query.objective.layer.empty() ? classifier.output_layer() : query.objective.layer;
    auto images = top_activating_images(classifier, layer, query.unit, query.objective,
                                        *loaded.test_images, query.k, 256,
                                        [&](double) { return !top_query_superseded(query.id); });
    if (top_query_superseded(query.id))
        return;
    TopImagesAnswer answer;
    answer.id = query.id;
    answer.classifier = classifier.id();
    answer.layer = layer;
    answer.unit = query.unit;
    const auto& names = fashion_mnist_labels();
    for (const TopImage& image : images) {
        answer.pictures.push_back(labelled_image_to_rgb8(*loaded.test_images, image.index));
        answer.labels.push_back(image.label >= 0 && image.label < std::int64_t(names.size())
                                    ? names[image.label]
                                    : std::to_string(image.label));
    }
    answer.images = std::move(images);
    if (events_.top_images)
        events_.top_images(answer);
}

}  // namespace dgnam
