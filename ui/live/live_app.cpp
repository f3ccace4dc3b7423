#include "live_app.h"

#include "gl_api.h"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>

#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/png_io.h"
#include "framebuffer_capture.h"
#include "glfw_window.h"
#include "image_view.h"
#include "imgui_frame.h"
#include "live_layout.h"
#include "live_options.h"
#include "live_session.h"
#include "panels.h"
#include "shortcuts.h"
#include "thumbnail_cache.h"

namespace dgnam::live {
namespace {

constexpr int kWindowWidth = 1280;
constexpr int kWindowHeight = 800;
// With nothing running the loop sleeps until an event or this long, instead of redrawing.
constexpr double kIdleWaitSeconds = 0.1;
// The scripted mode gives up when its frames have not been shown by then.
constexpr auto kScriptTimeout = std::chrono::seconds(120);

std::filesystem::path pack_folder_of(const std::string& text) {
    const std::filesystem::path folder =
        text.empty() ? default_pack_folder() : std::filesystem::path(text);
    if (!std::filesystem::is_directory(folder))
        throw Error("the model pack folder " + folder.string() + " does not exist");
    return folder;
}

// The window, its GL objects and the session, torn down in the right order: GL objects while
// the context is current, the window last.
class LiveApp {
  public:
    LiveApp(std::unique_ptr<LiveSession> session, UnitRef first, const LiveOptions& options)
        : options_(options),
          window_(kWindowWidth, kWindowHeight, "dgnam-live"),
          imgui_(window_.get()),
          session_(std::move(session)) {
        window_.set_swap_interval(options.scripted() ? 0 : 1);
        state_.pack_folder = session_->pack_folder().string();
        state_.allow_torchscript = options.allow_torchscript;
        // Started only now that the window is up, so the first frames show the first steps.
        session_->select_unit(first);
    }

    int run();

  private:
    void next_frame_events();
    void build_ui();
    void execute(Command command);
    void open_pack(const std::string& folder);
    void render();
    bool script_done(bool new_step, int& frames_counted);
    int write_screenshot(int frames_counted);

    LiveOptions options_;
    GlfwWindow window_;
    ImGuiSetup imgui_;
    ImageView view_;
    ThumbnailCache thumbnails_;
    std::unique_ptr<LiveSession> session_;
    PanelState state_;
    LiveLayout layout_;
};

int LiveApp::run() {
    const auto started = std::chrono::steady_clock::now();
    int frames_counted = 0;
    while (!window_.should_close()) {
        next_frame_events();
        const bool new_step = session_->poll();
        if (new_step)
            view_.show(*session_->newest_frame()->image);
        if (auto error = session_->take_error())
            state_.report(*error, true);
        imgui_.new_frame();
        build_ui();
        render();
        if (options_.scripted()) {
            if (script_done(new_step, frames_counted))
                return write_screenshot(frames_counted);
            if (std::chrono::steady_clock::now() - started > kScriptTimeout) {
                std::fprintf(stderr, "dgnam-live: error: %d of %d frames shown within %lld s\n",
                             frames_counted, options_.frames,
                             static_cast<long long>(kScriptTimeout.count()));
                return 1;
            }
        }
        window_.swap_buffers();
    }
    return 0;
}

void LiveApp::next_frame_events() {
    // While a run goes the loop redraws every frame (paced by the swap interval); otherwise
    // it waits for the user.
    if (options_.scripted() || (session_->run_active() && !session_->paused()))
        glfwPollEvents();
    else
        glfwWaitEventsTimeout(kIdleWaitSeconds);
}

void LiveApp::build_ui() {
    const ImGuiIO& io = ImGui::GetIO();
    layout_ = compute_layout(io.DisplaySize.x, io.DisplaySize.y);
    std::vector<Command> commands;
    PanelContext context{*session_, view_, thumbnails_, state_, commands};
    draw_viewport_panel(layout_.viewport, io.DisplayFramebufferScale.x, context);
    draw_picker_panel(layout_.left, context);
    draw_control_panel(layout_.right, context);
    draw_thumbnail_strip(layout_.strip, context);
    for (Command command : pressed_shortcuts())
        commands.push_back(command);
    for (Command command : commands)
        execute(command);
    if (state_.open_pack) {
        const std::string folder = *state_.open_pack;
        state_.open_pack.reset();
        open_pack(folder);
    }
}

void LiveApp::execute(Command command) {
    try {
        switch (command) {
            case Command::TogglePause:
                session_->toggle_pause();
                break;
            case Command::RestartNextSeed:
                session_->restart_with_next_seed();
                break;
            case Command::PreviousUnit:
                session_->step_unit(-1);
                break;
            case Command::NextUnit:
                session_->step_unit(+1);
                break;
            case Command::SaveImage:
                state_.report("saved " + session_->save_image(state_.export_folder).string(),
                              false);
                break;
            case Command::ExportGallery:
                session_->export_gallery(state_.export_folder, state_.overwrite_gallery);
                state_.report("gallery of " + std::to_string(session_->results().size()) +
                                  " units written to " + state_.export_folder,
                              false);
                break;
            case Command::FitImage:
                view_.fit();
                break;
        }
    } catch (const std::exception& e) {
        state_.report(e.what(), true);
    }
}

void LiveApp::open_pack(const std::string& folder) {
    try {
        auto session = std::make_unique<LiveSession>(
            pack_folder_of(folder), session_->device(),
            state_.allow_torchscript ? PackTrust::AllowTorchScript : PackTrust::DataOnly,
            session_->execution_mode());
        session->select_unit(UnitRef{"", "", 0});
        session_ = std::move(session);  // the old worker stops and joins here
        thumbnails_.clear();
        state_.report("opened " + folder, false);
    } catch (const std::exception& e) {
        state_.report(e.what(), true);
    }
}

void LiveApp::render() {
    const int fb_w = window_.framebuffer_width();
    const int fb_h = window_.framebuffer_height();
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.1f, 0.1f, 0.1f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    const float scale = ImGui::GetIO().DisplayFramebufferScale.x;
    const Rect& v = layout_.viewport;
    view_.draw(PixelRect{static_cast<int>(v.x * scale), static_cast<int>(v.y * scale),
                         static_cast<int>(v.w * scale), static_cast<int>(v.h * scale)},
               fb_h);
    glViewport(0, 0, fb_w, fb_h);
    imgui_.render();
}

// A scripted frame counts once it shows a new step (or the run has ended, when no new step can
// come), so N frames mean about N steps however fast this machine draws.
bool LiveApp::script_done(bool new_step, int& frames_counted) {
    if (new_step || (!session_->run_active() && session_->newest_frame()))
        ++frames_counted;
    return frames_counted >= options_.frames;
}

int LiveApp::write_screenshot(int frames_counted) {
    const Image8 shot = read_back_buffer(window_.framebuffer_width(), window_.framebuffer_height());
    try {
        write_png(options_.screenshot, shot);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dgnam-live: error: %s\n", e.what());
        return 1;
    }
    std::printf("screenshot of %d frames written to %s\n", frames_counted,
                options_.screenshot.c_str());
    return 0;
}

}  // namespace

int run_live(int argc, char** argv) {
    const ParsedOptions parsed = parse_live_options(argc, argv);
    if (!parsed.options)
        return parsed.exit_code;
    const LiveOptions& options = *parsed.options;

    // The pack and the first unit are checked before any window opens, so a bad one is told
    // on stderr even without a display.
    std::unique_ptr<LiveSession> session;
    UnitRef first;
    try {
        set_compute_threads(options.threads);
        const c10::Device device = parse_device(options.device);
        session = std::make_unique<LiveSession>(
            pack_folder_of(options.pack), device,
            options.allow_torchscript ? PackTrust::AllowTorchScript : PackTrust::DataOnly,
            ExecutionMode::fast_in(options.precision));
        first = session->resolve(UnitRef{"", options.layer, options.unit});
        if (options.iterations > 0) {
            RunSettings settings = session->settings();
            settings.params.iterations = options.iterations;
            session->set_settings(settings);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dgnam-live: error: %s\n", e.what());
        return 1;
    }
    try {
        LiveApp app(std::move(session), first, options);
        return app.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dgnam-live: error: %s\n", e.what());
        return 1;
    }
}

}  // namespace dgnam::live
