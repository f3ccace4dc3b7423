#pragma once
// What a front end shows beside a preferred image: the real test images that drive the unit
// hardest (as the Deep Visualization Toolbox and OpenAI Microscope show them), and a second
// classifier's verdict on the image being formed. Runs on its own thread with its own copy of the
// pack's classifiers, loaded on CPU from the pack folder, so the optimisation is never held up and
// the worker stays the only owner of its models. Only the newest query of each kind is kept: an
// older one still waiting is dropped, and a top-image search in progress stops when a newer one
// arrives. Answers are reported through callbacks on the inspector's thread.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dgnam/image.h"
#include "dgnam/judge.h"
#include "dgnam/objective.h"
#include "dgnam/top_images.h"

namespace dgnam {

struct TopImagesAnswer {
    std::uint64_t id = 0;
    std::string classifier;
    std::string layer;
    std::int64_t unit = 0;
    std::vector<TopImage> images;     // best first
    std::vector<Image8> pictures;     // per image, 8-bit RGB
    std::vector<std::string> labels;  // per image, the data set's class name
};

struct VerdictAnswer {
    std::uint64_t id = 0;
    std::string judge;  // classifier id
    std::int64_t target = 0;
    Verdict verdict;
    std::string predicted_label;
};

struct InspectorEvents {
    std::function<void(const TopImagesAnswer&)> top_images;
    std::function<void(const VerdictAnswer&)> verdict;
    // A query that could not be answered (data set missing, unknown layer, ...): its id and why.
    std::function<void(std::uint64_t id, const std::string& message)> failed;
};

class UnitInspector {
  public:
    // Nothing is loaded until the first query needs it. `data_folder` holds the Fashion-MNIST
    // IDX files (its test images are searched).
    UnitInspector(std::filesystem::path pack_folder, std::filesystem::path data_folder,
                  InspectorEvents events, PackTrust trust = PackTrust::DataOnly);
    ~UnitInspector();  // stops a search in progress and joins the thread
    // The nice value its thread runs at on Linux, so that it takes only what the optimisation
    // leaves of the cores.
    static constexpr int kNiceness = 10;
    UnitInspector(const UnitInspector&) = delete;
    UnitInspector& operator=(const UnitInspector&) = delete;

    std::uint64_t find_top_images(const std::string& classifier, const Objective& objective,
                                  std::int64_t unit, int k = 9);
    std::uint64_t judge(const std::string& judge, Image8 image, std::int64_t target);

  private:
    struct TopQuery {
        std::uint64_t id;
        std::string classifier;
        Objective objective;
        std::int64_t unit;
        int k;
    };
    struct VerdictQuery {
        std::uint64_t id;
        std::string judge;
        Image8 image;
        std::int64_t target;
    };
    struct Loaded;  // the pack copy and the data set, touched only by the thread

    void loop();
    void answer(Loaded& loaded, const TopQuery& query);
    void answer(Loaded& loaded, const VerdictQuery& query);
    bool top_query_superseded(std::uint64_t id) const;

    std::filesystem::path pack_folder_;
    PackTrust trust_;
    std::filesystem::path data_folder_;
    InspectorEvents events_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<TopQuery> top_;
    std::optional<VerdictQuery> verdict_;
    std::uint64_t next_id_ = 0;
    std::uint64_t newest_top_id_ = 0;
    bool stopping_ = false;

    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace dgnam
