#include "dgnam/training.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>
#include <functional>

#include "dgnam/error.h"
#include "dgnam/image_bridge.h"
#include "dgnam/network_models.h"
#include "dgnam/seconds_since.h"
#include "dgnam/sequential_net.h"

namespace dgnam {
namespace {

using Clock = std::chrono::steady_clock;

at::Tensor to_unit(const at::Tensor& bytes) {
    return bytes.to(at::kFloat) / 255.0;
}

// Random horizontal flips (most garments are near mirror-symmetric; shifts cost more accuracy
// than they bought in an 8-epoch budget).
at::Tensor augment(const at::Tensor& unit, at::Generator& gen) {
    const auto n = unit.size(0);
    auto flips = at::rand({n}, gen) < 0.5;
    return at::where(flips.view({n, 1, 1, 1}), unit.flip({3}), unit);
}

void set_learning_rate(torch::optim::Adam& optimizer, double lr) {
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

// Steps, time left and cancellation, shared by every training loop. A resumed run counts the
// time spent before the interruption and estimates what is left from this session's pace.
class TrainingClock {
  public:
    TrainingClock(std::string phase, std::int64_t steps, const TrainingCallback& callback,
                  const TrainingPosition& resumed_at)
        : phase_(std::move(phase)),
          steps_(steps),
          first_step_(resumed_at.step),
          earlier_seconds_(resumed_at.seconds),
          callback_(callback),
          started_(Clock::now()) {}
    // Returns false when the caller asked to stop.
    bool report(std::int64_t step, double loss) {
        if (!callback_)
            return true;
        const double elapsed = seconds_since(started_);
        const auto done = step - first_step_;
        const double left = done > 0 ? elapsed * double(steps_ - step) / double(done) : 0.0;
        return callback_({phase_, step, steps_, loss, left});
    }
    double seconds() const { return earlier_seconds_ + seconds_since(started_); }

  private:
    std::string phase_;
    std::int64_t steps_;
    std::int64_t first_step_;
    double earlier_seconds_;
    const TrainingCallback& callback_;
    Clock::time_point started_;
};

// Saves the loop's state when the schedule says so: every few steps, and when the caller stops
// the run.
class CheckpointWriter {
  public:
    using Collect = std::function<TensorMap()>;
    CheckpointWriter(const CheckpointSchedule& schedule, nlohmann::json settings, Collect collect)
        : schedule_(schedule), settings_(std::move(settings)), collect_(std::move(collect)) {}
    bool due(std::int64_t step, std::int64_t steps) const {
        return !schedule_.file.empty() && schedule_.every_steps > 0 && step < steps &&
               step % schedule_.every_steps == 0;
    }
    void save(const TrainingPosition& position) const {
        if (!schedule_.file.empty())
            write_training_checkpoint(schedule_.file, {position, collect_(), settings_});
    }

  private:
    const CheckpointSchedule& schedule_;
    nlohmann::json settings_;
    Collect collect_;
};

std::int64_t total_steps(std::int64_t n, int batch, int epochs, std::int64_t cap) {
    const std::int64_t per_epoch = (n + batch - 1) / batch;
    const std::int64_t all = per_epoch * epochs;
    return cap >= 0 ? std::min(cap, all) : all;
}

void check_data(const LabelledImages& data, const char* what) {
    if (!data.images.defined() || data.images.size(0) == 0)
        throw Error(std::string("training needs ") + what + " images; none were loaded");
}

}  // namespace

ClassifierResult train_classifier(const nlohmann::json& layers, const ImageSpec& input,
                                  const FashionMnist& data, const ClassifierTraining& options,
                                  const TrainingCallback& progress) {
    check_data(data.train, "training");
    at::manual_seed(options.seed);  // dropout draws from the default generator
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    auto net = SequentialNet::initialised(layers, input.shape, options.seed);
    auto params = net.parameters();
    for (auto& p : params)
        p.requires_grad_(true);
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(options.learning_rate));
    net.set_training(true);

    const auto n = data.train.images.size(0);
    const std::int64_t steps =
        total_steps(n, options.batch_size, options.epochs, options.max_steps);
    const nlohmann::json settings = {{"network", "classifier"},
                                     {"layers", layers},
                                     {"epochs", options.epochs},
                                     {"batch_size", options.batch_size},
                                     {"learning_rate", options.learning_rate},
                                     {"seed", options.seed},
                                     {"max_steps", options.max_steps},
                                     {"augment", options.augment},
                                     {"adversarial_epsilon", options.adversarial_epsilon},
                                     {"adversarial_share", options.adversarial_share},
                                     {"training_images", n}};
    const std::vector<TrainedPart> parts = {{"net", net, "adam", optimizer, params}};
    TrainingPosition position;
    if (auto resumed = checkpoint_to_resume(options.checkpoints, settings)) {
        restore_training_state(resumed->tensors, parts, gen, options.checkpoints.file);
        position = resumed->position;
    }
    const CheckpointWriter checkpoints(options.checkpoints, settings,
                                       [&] { return collect_training_state(parts, gen); });
    TrainingClock clock("classifier", steps, progress, position);
    std::int64_t step = position.step;
    bool stopped = false;
    for (int epoch = position.epoch; epoch < options.epochs && step < steps && !stopped; ++epoch) {
        const bool resumed_epoch = epoch == position.epoch && position.order.defined();
        auto order = resumed_epoch ? position.order : at::randperm(n, gen);
        for (std::int64_t first = resumed_epoch ? position.first : 0;
             first < n && step < steps && !stopped; first += options.batch_size) {
            auto index =
                order.narrow(0, first, std::min<std::int64_t>(options.batch_size, n - first));
            auto x = to_unit(data.train.images.index_select(0, index));
            if (options.augment)
                x = augment(x, gen);
            auto y = data.train.labels.index_select(0, index);
            if (options.adversarial_epsilon > 0.0) {
                const auto attacked = static_cast<std::int64_t>(
                    std::llround(options.adversarial_share * double(x.size(0))));
                if (attacked > 0)
                    x = at::cat({fgsm_random_start(net, input.space, x.narrow(0, 0, attacked),
                                                   y.narrow(0, 0, attacked),
                                                   options.adversarial_epsilon, gen),
                                 x.narrow(0, attacked, x.size(0) - attacked)});
            }
            set_learning_rate(optimizer, options.learning_rate * (1.0 - double(step) / steps));
            auto loss = at::nll_loss(at::log_softmax(net.forward(input.space.from_unit(x)), 1), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            ++step;
            const TrainingPosition now{step, epoch, first + options.batch_size, order,
                                       clock.seconds()};
            if (checkpoints.due(step, steps))
                checkpoints.save(now);
            if (!clock.report(step, loss.item<double>())) {
                stopped = true;
                checkpoints.save(now);
            }
        }
    }
    net.set_training(false);
    for (auto& p : params)
        p.requires_grad_(false);
    ClassifierResult result;
    result.steps = step;
    result.weights = net.state();
    result.seconds = clock.seconds();
    result.stopped = stopped;
    if (!stopped && data.test.images.defined() && data.test.images.size(0) > 0) {
        const std::string output = net.layers().back().name;
        NetworkClassifier trained("trained", "trained", std::move(net), input, output, {});
        result.test_accuracy = classification_accuracy(trained, data.test);
    }
    return result;
}

at::Tensor fgsm_random_start(const SequentialNet& net, const PixelSpace& space,
                             const at::Tensor& unit, const at::Tensor& labels, double epsilon,
                             at::Generator& generator) {
    auto delta = ((at::rand(unit.sizes(), generator) * 2.0 - 1.0) * epsilon).requires_grad_(true);
    auto logits = net.forward(space.from_unit((unit + delta).clamp(0.0, 1.0)));
    auto loss = at::nll_loss(at::log_softmax(logits, 1), labels);
    auto gradient = torch::autograd::grad({loss}, {delta})[0];
    auto stepped = (delta.detach() + 1.25 * epsilon * gradient.sign()).clamp(-epsilon, epsilon);
    return (unit + stepped).clamp(0.0, 1.0);
}

double classification_accuracy(const Classifier& classifier, const LabelledImages& data) {
    at::NoGradGuard no_grad;
    const auto n = data.images.size(0);
    std::int64_t correct = 0;
    for (std::int64_t first = 0; first < n; first += 500) {
        const auto count = std::min<std::int64_t>(500, n - first);
        auto x = classifier.input().space.from_unit(to_unit(data.images.narrow(0, first, count)));
        auto predicted = classifier.forward_to(x, classifier.output_layer()).argmax(1);
        correct += (predicted == data.labels.narrow(0, first, count)).sum().item<std::int64_t>();
    }
    return n ? double(correct) / double(n) : 0.0;
}

std::vector<float> code_upper_bounds(const Classifier& classifier, const std::string& code_layer,
                                     const LabelledImages& data) {
    at::NoGradGuard no_grad;
    const auto n = data.images.size(0);
    at::Tensor sum, sum_squares;
    for (std::int64_t first = 0; first < n; first += 500) {
        const auto count = std::min<std::int64_t>(500, n - first);
        auto x = classifier.input().space.from_unit(to_unit(data.images.narrow(0, first, count)));
        auto code = classifier.forward_to(x, code_layer).flatten(1).to(at::kDouble);
        sum = sum.defined() ? sum + code.sum(0) : code.sum(0);
        sum_squares =
            sum_squares.defined() ? sum_squares + (code * code).sum(0) : (code * code).sum(0);
    }
    auto mean = sum / double(n);
    auto stddev = at::sqrt(at::clamp_min(sum_squares / double(n) - mean * mean, 0.0));
    auto upper = (mean + 3.0 * stddev).to(at::kFloat).contiguous();
    return {upper.data_ptr<float>(), upper.data_ptr<float>() + upper.numel()};
}

GeneratorResult train_generator(const Classifier& classifier, const std::string& code_layer,
                                const nlohmann::json& generator_layers,
                                const ImageSpec& generator_output,
                                const nlohmann::json& discriminator_layers,
                                const FashionMnist& data, const GeneratorTraining& options,
                                const TrainingCallback& progress) {
    check_data(data.train, "training");
    const auto& code_info = classifier.layer(code_layer);
    at::manual_seed(options.seed);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    auto generator =
        SequentialNet::initialised(generator_layers, {code_info.units()}, options.seed);
    auto discriminator =
        SequentialNet::initialised(discriminator_layers, generator_output.shape, options.seed + 1);
    const ImageBridge bridge(generator_output.space, generator_output.shape,
                             classifier.input().space, classifier.input().shape);
    const auto& in_shape = classifier.input().shape;
    const std::int64_t pad_top = bridge.crop_top(), pad_left = bridge.crop_left();
    const std::int64_t pad_bottom = generator_output.shape[1] - in_shape[1] - pad_top;
    const std::int64_t pad_right = generator_output.shape[2] - in_shape[2] - pad_left;

    auto g_params = generator.parameters();
    auto d_params = discriminator.parameters();
    for (auto& p : g_params)
        p.requires_grad_(true);
    for (auto& p : d_params)
        p.requires_grad_(true);
    const auto adam = torch::optim::AdamOptions(options.learning_rate).betas({0.5, 0.999});
    torch::optim::Adam g_optimizer(g_params, adam);
    torch::optim::Adam d_optimizer(d_params, adam);

    const auto n = data.train.images.size(0);
    const std::int64_t steps =
        total_steps(n, options.batch_size, options.epochs, options.max_steps);
    // A checkpoint made against another classifier must not be continued: its code layer would
    // mean something else. The code of a few training images tells two classifiers apart.
    double classifier_fingerprint = 0.0;
    {
        at::NoGradGuard no_grad;
        auto x = to_unit(data.train.images.narrow(0, 0, std::min<std::int64_t>(16, n)));
        classifier_fingerprint =
            classifier.forward_to(classifier.input().space.from_unit(x), code_layer)
                .to(at::kDouble)
                .sum()
                .item<double>();
    }
    const nlohmann::json settings = {{"network", "generator"},
                                     {"generator_layers", generator_layers},
                                     {"discriminator_layers", discriminator_layers},
                                     {"code_layer", code_layer},
                                     {"classifier_fingerprint", classifier_fingerprint},
                                     {"epochs", options.epochs},
                                     {"batch_size", options.batch_size},
                                     {"learning_rate", options.learning_rate},
                                     {"seed", options.seed},
                                     {"max_steps", options.max_steps},
                                     {"image_weight", options.image_weight},
                                     {"feature_weight", options.feature_weight},
                                     {"adversarial_weight", options.adversarial_weight},
                                     {"training_images", n}};
    const std::vector<TrainedPart> parts = {
        {"generator", generator, "adam_generator", g_optimizer, g_params},
        {"discriminator", discriminator, "adam_discriminator", d_optimizer, d_params}};
    TrainingPosition position;
    if (auto resumed = checkpoint_to_resume(options.checkpoints, settings)) {
        restore_training_state(resumed->tensors, parts, gen, options.checkpoints.file);
        position = resumed->position;
    }
    const CheckpointWriter checkpoints(options.checkpoints, settings,
                                       [&] { return collect_training_state(parts, gen); });
    TrainingClock clock("generator", steps, progress, position);
    std::int64_t step = position.step;
    // The discriminator sees images in [-1, 1].
    auto for_discriminator = [](const at::Tensor& unit) { return unit * 2.0 - 1.0; };
    bool stopped = false;
    for (int epoch = position.epoch; epoch < options.epochs && step < steps && !stopped; ++epoch) {
        const bool resumed_epoch = epoch == position.epoch && position.order.defined();
        auto order = resumed_epoch ? position.order : at::randperm(n, gen);
        for (std::int64_t first = resumed_epoch ? position.first : 0;
             first < n && step < steps && !stopped; first += options.batch_size) {
            auto index =
                order.narrow(0, first, std::min<std::int64_t>(options.batch_size, n - first));
            auto x = to_unit(data.train.images.index_select(0, index));
            auto target = at::constant_pad_nd(x, {pad_left, pad_right, pad_top, pad_bottom}, 0.0);
            at::Tensor code;
            {
                at::NoGradGuard no_grad;
                code = classifier.forward_to(classifier.input().space.from_unit(x), code_layer)
                           .flatten(1);
            }
            auto generated = generator.forward(code);
            auto generated_unit = generator_output.space.to_unit(generated);

            // Discriminator: real padded images against G's.
            auto real_logit = discriminator.forward(for_discriminator(target));
            auto fake_logit = discriminator.forward(for_discriminator(generated_unit.detach()));
            auto d_loss =
                at::binary_cross_entropy_with_logits(real_logit, at::ones_like(real_logit)) +
                at::binary_cross_entropy_with_logits(fake_logit, at::zeros_like(fake_logit));
            d_optimizer.zero_grad();
            d_loss.backward();
            d_optimizer.step();

            // Generator: image, feature and adversarial losses.
            auto features =
                classifier.forward_to(bridge.to_classifier(generated), code_layer).flatten(1);
            auto fooled = discriminator.forward(for_discriminator(generated_unit));
            auto image_loss = at::mse_loss(generated_unit, target);
            auto feature_loss = at::mse_loss(features, code);
            auto adversarial_loss =
                at::binary_cross_entropy_with_logits(fooled, at::ones_like(fooled));
            auto g_loss = options.image_weight * image_loss +
                          options.feature_weight * feature_loss +
                          options.adversarial_weight * adversarial_loss;
            g_optimizer.zero_grad();
            g_loss.backward();
            g_optimizer.step();
            ++step;
            const TrainingPosition now{step, epoch, first + options.batch_size, order,
                                       clock.seconds()};
            if (checkpoints.due(step, steps))
                checkpoints.save(now);
            if (!clock.report(step, g_loss.item<double>())) {
                stopped = true;
                checkpoints.save(now);
            }
        }
    }
    for (auto& p : g_params)
        p.requires_grad_(false);
    for (auto& p : d_params)
        p.requires_grad_(false);

    GeneratorResult result;
    result.steps = step;
    result.seconds = clock.seconds();
    result.stopped = stopped;
    if (!stopped && data.test.images.defined() && data.test.images.size(0) > 0) {
        at::NoGradGuard no_grad;
        const auto m = data.test.images.size(0);
        std::int64_t agree = 0;
        double psnr_sum = 0.0;
        for (std::int64_t first = 0; first < m; first += 500) {
            const auto count = std::min<std::int64_t>(500, m - first);
            auto x = to_unit(data.test.images.narrow(0, first, count));
            auto code =
                classifier.forward_to(classifier.input().space.from_unit(x), code_layer).flatten(1);
            auto generated = generator.forward(code);
            auto crop = bridge.to_classifier(generated);
            auto predicted = classifier.forward_to(crop, classifier.output_layer()).argmax(1);
            agree +=
                (predicted == data.test.labels.narrow(0, first, count)).sum().item<std::int64_t>();
            auto crop_unit = classifier.input().space.to_unit(crop).clamp(0.0, 1.0);
            auto mse = (crop_unit - x).pow(2).flatten(1).mean(1).clamp_min(1e-10);
            psnr_sum += (-10.0 * at::log10(mse)).sum().item<double>();
        }
        result.test_class_agreement = double(agree) / double(m);
        result.test_psnr = psnr_sum / double(m);
    }
    result.generator = generator.state();
    result.discriminator = discriminator.state();
    return result;
}

}  // namespace dgnam
