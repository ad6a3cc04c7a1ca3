// tests/studio/test_markdown.cpp — a lesson's narration as the Lesson panel
// reads it (draw/markdown.h): md4c's parse turned into blocks of styled runs.
#include <catch2/catch.hpp>

#include "app/studio/draw/markdown.h"

using minicorn::studio::MdBlock;
using minicorn::studio::MdRun;
using minicorn::studio::parse_markdown;

TEST_CASE("narration Markdown becomes paragraphs of styled runs: emphasis, strong, code and links",
          "[studio][markdown]") {
    const auto blocks = parse_markdown(
        "This server has **one sync worker**: it waits in `select()`.\nSee *the docs* at [gunicorn](https://gunicorn.org).\n\n"
        "A second paragraph.");
    REQUIRE(blocks.size() == 2);
    const MdBlock& p = blocks[0];
    CHECK(p.bullet.empty());
    std::string text;
    for (const MdRun& r : p.runs) text += r.text;
    CHECK(text == "This server has one sync worker: it waits in select(). See the docs at gunicorn.");  // the line break is a space
    auto run_of = [&](const std::string& t) -> const MdRun* {
        for (const MdRun& r : p.runs) {
            if (r.text == t) return &r;
        }
        return nullptr;
    };
    REQUIRE(run_of("one sync worker"));
    CHECK(run_of("one sync worker")->style == MdRun::Strong);
    REQUIRE(run_of("select()"));
    CHECK(run_of("select()")->style == MdRun::Code);
    REQUIRE(run_of("the docs"));
    CHECK(run_of("the docs")->style == MdRun::Em);
    REQUIRE(run_of("gunicorn"));
    CHECK(run_of("gunicorn")->style == MdRun::Link);
    CHECK(run_of("gunicorn")->url == "https://gunicorn.org");
    CHECK(blocks[1].runs.front().text == "A second paragraph.");
}

TEST_CASE("narration lists keep their bullets and numbers", "[studio][markdown]") {
    const auto blocks = parse_markdown("Three things:\n\n- accept\n- read\n\n1. handle\n2. write\n");
    REQUIRE(blocks.size() == 5);
    CHECK(blocks[1].bullet == "\u2022 ");
    CHECK(blocks[1].runs.front().text == "accept");
    CHECK(blocks[2].bullet == "\u2022 ");
    CHECK(blocks[3].bullet == "1. ");
    CHECK(blocks[4].bullet == "2. ");
    CHECK(blocks[4].runs.front().text == "write");
    CHECK(blocks[4].depth == 1);
}
