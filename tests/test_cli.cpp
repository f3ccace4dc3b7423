// End-to-end runs of the `dgnam` binary, including each kind of bad input.
#include <gtest/gtest.h>

#include <fstream>

#include "dgnam/gallery.h"
#include "dgnam/png_io.h"
#include "test_paths.h"
#include "test_support.h"
#include "tiny_pack_cli.h"

namespace dgnam {
namespace {

// Its own suite name, the tiny pack's command line.
class Cli : public test::TinyPackCli {};

TEST_F(Cli, LayersListsTheNetworks) {
    const auto r = dgnam("layers --json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["classifiers"][0]["id"], "A");
    EXPECT_EQ(j["classifiers"][0]["layers"].size(), 6u);
    EXPECT_EQ(j["classifiers"][0]["layers"][2]["shape"], nlohmann::json({4, 4, 4}));
    EXPECT_EQ(j["generator"]["code_size"], 16);
    const auto text = dgnam("layers");
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_NE(text.output.find("conv1"), std::string::npos);
    EXPECT_NE(text.output.find("(output)"), std::string::npos);
}

TEST_F(Cli, SynthesizeWritesACompleteGallery) {
    const auto out = folder / "gallery";
    const auto r = dgnam("synthesize --units 0-2 --iterations 30 --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("gallery written to"), std::string::npos);
    const auto index = read_gallery_index(out / "gallery.json");
    ASSERT_EQ(index.items.size(), 3u);
    EXPECT_EQ(index.params["iterations"], 30);
    EXPECT_EQ(index.params["method"], "dgn");
    EXPECT_EQ(index.params["precision"], "float32");
    EXPECT_EQ(index.model["layer"], "fc3");
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(index.items[i].unit, static_cast<std::int64_t>(i));
        EXPECT_EQ(index.items[i].layer, "fc3");
        EXPECT_TRUE(index.items[i].probability.has_value());
        EXPECT_EQ(index.items[i].iterations, 30);
        const auto png = read_png(out / index.files[i]);
        EXPECT_EQ(png.width, 10);
    }
    EXPECT_EQ(index.items[2].label.value_or(""), "two");
    EXPECT_TRUE(std::filesystem::exists(out / "contact_sheet.png"));
    EXPECT_TRUE(std::filesystem::exists(out / "index.html"));
}

TEST_F(Cli, BFloat16PrecisionIsRecordedAndLabelled) {
    const auto out = folder / "bf16";
    const auto r =
        dgnam("--precision bfloat16 synthesize --units 0-2 --iterations 30 --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto index = read_gallery_index(out / "gallery.json");
    ASSERT_EQ(index.items.size(), 3u);
    EXPECT_EQ(index.params["precision"], "bfloat16");
    for (const auto& item : index.items)
        EXPECT_TRUE(item.probability.has_value());
    const auto bench = dgnam(
        "--precision bfloat16 bench --scenario bundled --batches 1 --steps 1 --warmup 0 "
        "--no-baseline --gallery-units 1 --gallery-iterations 1 --gallery-repeats 1");
    ASSERT_EQ(bench.exit_code, 0) << bench.output;
    EXPECT_NE(bench.output.find("fast bfloat16"), std::string::npos) << bench.output;
    const auto bad = dgnam("--precision half layers");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.output.find("half not in {float32,bfloat16}"), std::string::npos) << bad.output;
}

TEST_F(Cli, SynthesizeHiddenUnitsWithThePixelMethodInABatch) {
    const auto out = folder / "hidden";
    const auto r = dgnam(
        "synthesize --layer conv1 --units all --spatial mean --method pixel "
        "--iterations 5 --batch 4 --jitter 1 --out " +
        out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto index = read_gallery_index(out / "gallery.json");
    EXPECT_EQ(index.items.size(), 4u);
    EXPECT_FALSE(index.items[0].probability.has_value());
    EXPECT_FALSE(index.items[0].label.has_value());
}

TEST_F(Cli, ExistingGalleryIsKeptWithoutForce) {
    const auto out = folder / "gallery";
    ASSERT_EQ(dgnam("synthesize --units 0 --iterations 3 --out " + out.string()).exit_code, 0);
    const auto before = read_gallery_index(out / "gallery.json");
    const auto again = dgnam("synthesize --units 1 --iterations 3 --out " + out.string());
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
    EXPECT_EQ(read_gallery_index(out / "gallery.json").items[0].unit, before.items[0].unit);
    const auto forced = dgnam("synthesize --units 1 --iterations 3 --force --out " + out.string());
    EXPECT_EQ(forced.exit_code, 0) << forced.output;
    EXPECT_EQ(read_gallery_index(out / "gallery.json").items[0].unit, 1);
}

struct BadInput {
    std::string args;
    std::string expected;  // part of the one-line message
};

TEST_F(Cli, BadInputGivesOneClearMessageAndExitCode) {
    std::ofstream(folder / "a-file") << "x";
    const std::vector<BadInput> cases = {
        {"synthesize --layer fc9 --units 0", "unknown layer \"fc9\""},
        {"synthesize --units 3", "unit 3 is out of range"},
        {"synthesize --units 0 --out " + (folder / "a-file" / "sub").string(),
         "cannot create the output folder"},
        {"synthesize --units 0 --classifier Q", "no classifier \"Q\""},
        {"synthesize --units 0 --l2 2", "L2 decay"},
        {"synthesize --units 0 --device cuda:3", "cuda:3"},
    };
    for (const auto& c : cases) {
        const auto r = dgnam(c.args + " --iterations 2");
        EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.output;
        EXPECT_NE(r.output.find(c.expected), std::string::npos) << c.args << "\n" << r.output;
        EXPECT_NE(r.output.find("dgnam: error:"), std::string::npos) << r.output;
    }
}

TEST_F(Cli, UnreadableModelNamesTheFile) {
    std::ofstream(folder / "pack" / "generator.safetensors", std::ios::trunc) << "not weights";
    const auto r = dgnam("synthesize --units 0 --out " + (folder / "g").string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("generator.safetensors"), std::string::npos) << r.output;
    const auto missing =
        test::run_command(std::string(DGNAM_CLI_PATH) + " --pack /nonexistent layers");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.output.find("/nonexistent/manifest.json"), std::string::npos)
        << missing.output;
}

TEST_F(Cli, MalformedArgumentsExitWithUsage) {
    EXPECT_EQ(dgnam("synthesize --units").exit_code, 2);
    EXPECT_EQ(dgnam("frobnicate").exit_code, 2);
    const auto help = test::run_command(std::string(DGNAM_CLI_PATH) + " synthesize --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.output.find("--lr-start"), std::string::npos);
}

TEST_F(Cli, DoctorNamesTheBlasAndWarnsAboutTheReferenceOne) {
    const auto r = dgnam("doctor --json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_GE(j["threads"].get<int>(), 1);
    EXPECT_FALSE(j["blas"].get<std::string>().empty());
    EXPECT_GT(j["matrix_product_gflops"].get<double>(), 0.0);
    EXPECT_EQ(j["devices"][0], "cpu");
    const bool bfloat16_flags =
        test::run_command("grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo").exit_code == 0;
    EXPECT_EQ(j["cpu_bfloat16"].get<bool>(), bfloat16_flags);
    // Debian's reference BLAS, where installed, put first on the library path.
    const std::filesystem::path reference = "/usr/lib/x86_64-linux-gnu/blas";
    if (!std::filesystem::exists(reference / "libblas.so.3"))
        return;
    const auto slow = test::run_command("LD_LIBRARY_PATH=" + reference.string() + " " +
                                        DGNAM_CLI_PATH + " doctor");
    ASSERT_EQ(slow.exit_code, 0) << slow.output;
    EXPECT_NE(slow.output.find("reference BLAS"), std::string::npos) << slow.output;
    EXPECT_NE(slow.output.find("warning: the reference BLAS is active"), std::string::npos)
        << slow.output;
}

TEST_F(Cli, BenchReportsStepTimesAndTheBaseline) {
    const auto json = folder / "bench.json";
    const auto r = dgnam(
        "bench --scenario bundled --batches 1,2 --steps 2 --warmup 0 --gallery-units 2 "
        "--gallery-iterations 2 --json " +
        json.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("steps per second for one unit"), std::string::npos) << r.output;
    std::ifstream in(json);
    const auto j = nlohmann::json::parse(in);
    EXPECT_FALSE(j["runtime"]["blas"].get<std::string>().empty());
    const auto& results = j["results"];
    ASSERT_EQ(results.size(), 5u);  // fast and straightforward at 2 batch sizes, the gallery
    int fast = 0, straightforward = 0;
    for (const auto& row : results) {
        if (!row.contains("form"))
            continue;
        (row["form"] == "fast" ? fast : straightforward)++;
        EXPECT_GT(row["ms_per_step"].get<double>(), 0.0);
        EXPECT_GT(row["gflop_per_step"].get<double>(), 0.0);
        EXPECT_NEAR(row["ms_per_image_step"].get<double>() * row["batch"].get<int>(),
                    row["ms_per_step"].get<double>(), 1e-6);
    }
    EXPECT_EQ(fast, 2);
    EXPECT_EQ(straightforward, 2);
    EXPECT_EQ(results[4]["gallery_units"], 2);
    EXPECT_GT(results[4]["seconds_batched"].get<double>(), 0.0);
    const auto& ratios = results[4]["ratio_by_repeat"];
    ASSERT_EQ(ratios.size(), results[4]["repeats"].get<std::size_t>());
    for (const auto& ratio : ratios)
        EXPECT_GT(ratio.get<double>(), 0.0);
    if (results[4]["batch_parts"].get<int>() > 1) {  // split on a machine of 2 cores or more
        const auto& side = results[4]["side_by_side"];
        EXPECT_EQ(side["rows_per_part"], 1);
        EXPECT_GT(side["ms_alone"].get<double>(), 0.0);
        EXPECT_NEAR(side["slowdown"].get<double>() * side["ms_alone"].get<double>(),
                    side["ms_side_by_side"].get<double>(), 1e-9);
        EXPECT_NE(r.output.find("side by side: a part of 1 row steps"), std::string::npos)
            << r.output;
    } else {
        EXPECT_FALSE(results[4].contains("side_by_side"));
    }

    const auto bad = dgnam("bench --scenario everything");
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.output.find("--scenario must be all, bundled, paper or soak"), std::string::npos)
        << bad.output;

    const auto soak_json = folder / "soak.json";
    const auto soak = dgnam(
        "bench --scenario soak --soak-visualisations 3 --soak-iterations 2 "
        "--json " +
        soak_json.string());
    ASSERT_EQ(soak.exit_code, 0) << soak.output;
    EXPECT_NE(soak.output.find("resident memory after 3:"), std::string::npos) << soak.output;
    std::ifstream soak_in(soak_json);
    const auto s = nlohmann::json::parse(soak_in);
    EXPECT_EQ(s["visualisations"], 3);
    EXPECT_EQ(s["early"], 3);
    EXPECT_GT(s["resident_bytes_at_end"].get<std::int64_t>(), 0);
}

}  // namespace
}  // namespace dgnam
