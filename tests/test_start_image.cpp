// Starting DGN-AM from a real image (the paper's "from a real image" script): the picture is
// fitted to the encoder's input, encoded to the code layer, and the optimisation starts there.
#include <gtest/gtest.h>

#include <future>

#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/image_input.h"
#include "dgnam/top_images.h"
#include "dgnam/worker.h"
#include "test_paths.h"
#include "test_support.h"

namespace dgnam {
namespace {

ImageSpec grey_spec(int size) {
    return ImageSpec{{1, size, size}, test::identity_grey_space()};
}

Image8 halves(int size) {  // left half white, right half black
    Image8 image(size, size);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size / 2; ++x)
            std::fill_n(image.pixel(x, y), 3, 255);
    return image;
}

TEST(ImageInput, ResizeThenCropScalesALargerPictureDown) {
    const auto input = image_to_input(grey_spec(28), halves(56), ImageFit::ResizeThenCrop);
    ASSERT_EQ(input.sizes(), (std::vector<std::int64_t>{1, 1, 28, 28}));
    EXPECT_FLOAT_EQ(input[0][0][5][0].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(input[0][0][5][13].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(input[0][0][5][14].item<float>(), 0.0f);
}

TEST(ImageInput, ResizeThenCropCutsTheCentreOfAWidePicture) {
    Image8 wide(56, 28);  // a white column at x = 0 falls outside the centre 28 columns
    for (int y = 0; y < 28; ++y)
        std::fill_n(wide.pixel(0, y), 3, 255);
    for (int y = 0; y < 28; ++y)
        std::fill_n(wide.pixel(14, y), 3, 255);  // first kept column
    const auto input = image_to_input(grey_spec(28), wide, ImageFit::ResizeThenCrop);
    EXPECT_FLOAT_EQ(input[0][0][3][0].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(input.sum().item<float>(), 28.0f);
}

TEST(ImageInput, CentreCropTakesTheMiddleWithoutScaling) {
    Image8 image(32, 32);
    std::fill_n(image.pixel(2, 2), 3, 255);  // the crop's top-left pixel
    const auto input = image_to_input(grey_spec(28), image, ImageFit::CentreCrop);
    EXPECT_FLOAT_EQ(input[0][0][0][0].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(input.sum().item<float>(), 1.0f);
    EXPECT_THROW(image_to_input(grey_spec(28), Image8(20, 20), ImageFit::CentreCrop), Error);
    EXPECT_THROW(image_to_input(grey_spec(28), Image8(), ImageFit::ResizeThenCrop), Error);
}

// Pearson correlation of the centre 28x28 of a 32x32 picture with a 28x28 one (red channel).
double correlation(const Image8& generated, const Image8& real) {
    std::vector<double> a, b;
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) {
            a.push_back(generated.pixel(x + 2, y + 2)[0]);
            b.push_back(real.pixel(x, y)[0]);
        }
    const auto t = at::tensor(a), u = at::tensor(b);
    const auto ta = t - t.mean(), ub = u - u.mean();
    return (ta * ub).sum().item<double>() /
           std::sqrt((ta * ta).sum().item<double>() * (ub * ub).sum().item<double>());
}

Image8 first_image(const std::optional<Image8>& start, Method method = Method::Dgn) {
    ModelPack pack = load_model_pack(DGNAM_TEST_SOURCE_DIR "/../resources/packs/fashion-mnist");
    std::promise<Image8> image;
    WorkerEvents events;
    events.unit_done = [&](const UnitResult& r) { image.set_value(r.image); };
    Worker worker(std::move(pack), c10::Device(c10::kCPU), events);
    RunRequest request;
    request.units = {1};
    request.method = method;
    request.params.iterations = 1;
    request.params.lr_start = 1e-6;  // one tiny step: the result is G(code(start))
    request.params.l2 = 1.0;
    request.start_image = start;
    worker.start(request);
    return image.get_future().get();
}

TEST(StartImage, TheOptimisationStartsFromTheCodeOfTheImage) {
    const LabelledImages test = load_fashion_mnist(default_fashion_mnist_folder()).test;
    const Image8 trouser = labelled_image_to_rgb8(test, 2);  // test image 2 is a trouser
    ASSERT_EQ(test.labels[2].item<std::int64_t>(), 1);
    const double from_image = correlation(first_image(trouser), trouser);
    const double from_random = correlation(first_image(std::nullopt), trouser);
    EXPECT_GT(from_image, 0.6);
    EXPECT_GT(from_image, from_random + 0.2);
}

TEST(StartImage, NeedsDgnAm) {
    ModelPack pack = load_model_pack(DGNAM_TEST_SOURCE_DIR "/../resources/packs/fashion-mnist");
    Worker worker(std::move(pack), c10::Device(c10::kCPU));
    RunRequest request;
    request.units = {1};
    request.method = Method::Pixel;
    request.start_image = halves(28);
    EXPECT_THROW(worker.start(request), Error);
    request.method = Method::Dgn;
    request.start_image = Image8();
    EXPECT_THROW(worker.start(request), Error);
}

}  // namespace
}  // namespace dgnam
