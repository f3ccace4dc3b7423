#include "cli.h"

#include <cstdio>
#include <map>

#include "commands.h"
#include "dgnam/build_config.h"
#include "dgnam/error.h"

namespace dgnam::cli {

int run(int argc, char** argv) {
    CLI::App app{
        "dgnam: synthesize the preferred images of neurons with DGN-AM "
        "(Nguyen et al., NIPS 2016)",
        "dgnam"};
    app.set_version_flag("--version", std::string("dgnam ") + DGNAM_VERSION);
    app.require_subcommand(1);
    app.fallthrough();  // shared options may also follow the command's name
    CommonOptions common;
    common.add_to(app);
    std::map<std::string, Command> commands;
    commands["layers"] = add_layers_command(app, common);
    commands["synthesize"] = add_synthesize_command(app, common);
    commands["train"] = add_train_command(app, common);
    commands["topk"] = add_topk_command(app, common);
    commands["pack"] = add_pack_command(app, common);
    commands["bench"] = add_bench_command(app, common);
    commands["doctor"] = add_doctor_command(app, common);
    commands["gallery"] = add_gallery_command(app, common);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version print and succeed; anything else is a usage error (exit 2).
        const int printed = app.exit(e);
        return printed == 0 ? 0 : 2;
    }
    try {
        for (auto* sub : app.get_subcommands())
            return commands.at(sub->get_name())();
    } catch (const Error& e) {
        std::fprintf(stderr, "dgnam: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dgnam: unexpected error: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace dgnam::cli
