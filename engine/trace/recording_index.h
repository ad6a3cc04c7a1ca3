// engine/trace/recording_index.h — PositionList: one of a Recording's indexes
// (the positions of one process's, thread's, connection's or request's
// events, in time order), which grows without ever moving what it holds.
//
// Why not a std::vector: a vector doubles and copies itself as it grows. The
// index of a busy worker holds millions of positions, so one append in the
// studio's frame copied megabytes and touched as many fresh pages (a 14 ms
// frame at 3.3 M events, measured). Here positions live in blocks that never
// move: the first holds 8, each next one twice as many up to 64 Ki, then
// every block holds 64 Ki. A short list (a request's ~20 events) costs about
// what a vector does; a long one never copies.
//
// Random access (blocks located by arithmetic, no search), so std::lower_bound
// and reverse iteration work as on a vector.
//
// IdIndex: the PositionLists of connection or request ids, which grows
// without rehashing. A std::unordered_map of a million requests' lists
// rehashes as it grows — every node relinked in one append (10 ms frames at
// 0.8 M and 1.5 M events, measured). Ids are make_id(pid, seq) with seq a
// counter from 1 (event.h), so here each pid has a table indexed by seq, a
// deque that never moves its lists; an id far past its pid's others (a
// damaged file) goes to a hash map instead, so memory stays within twice the
// ids seen.
//
// Thread affinity: one writer; no concurrent readers (as Recording).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

namespace minicorn::trace {

class PositionList {
public:
    using value_type = std::uint32_t;
    using size_type = std::size_t;

    class const_iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = std::uint32_t;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::uint32_t*;
        using reference = const std::uint32_t&;

        const_iterator() = default;
        const_iterator(const PositionList* list, std::size_t i) : list_(list), i_(i) {}
        reference operator*() const { return (*list_)[i_]; }
        reference operator[](difference_type n) const { return (*list_)[static_cast<std::size_t>(static_cast<difference_type>(i_) + n)]; }
        const_iterator& operator++() { ++i_; return *this; }
        const_iterator operator++(int) { const_iterator t = *this; ++i_; return t; }
        const_iterator& operator--() { --i_; return *this; }
        const_iterator operator--(int) { const_iterator t = *this; --i_; return t; }
        const_iterator& operator+=(difference_type n) { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n); return *this; }
        const_iterator& operator-=(difference_type n) { return *this += -n; }
        friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
        friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
        friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
            return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
        friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

    private:
        const PositionList* list_ = nullptr;
        std::size_t i_ = 0;
    };
    using iterator = const_iterator;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    void push_back(std::uint32_t position) {
        if (size_ == capacity_) grow();
        *slot(size_) = position;
        ++size_;
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const std::uint32_t& operator[](std::size_t i) const { return *const_cast<PositionList*>(this)->slot(i); }
    const std::uint32_t& front() const { return (*this)[0]; }
    const std::uint32_t& back() const { return (*this)[size_ - 1]; }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size_}; }
    const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

    PositionList() = default;
    PositionList(const PositionList& other) { for (std::uint32_t p : other) push_back(p); }
    PositionList& operator=(const PositionList& other) {
        if (this != &other) {
            PositionList copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    // A moved-from list is empty (size and capacity too): the defaults left its
    // counts behind with no blocks, so a push_back on it wrote through a block
    // pointer that was not there.
    PositionList(PositionList&& other) noexcept
        : blocks_(std::move(other.blocks_)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {
        other.blocks_.clear();
    }
    PositionList& operator=(PositionList&& other) noexcept {
        if (this != &other) {
            blocks_ = std::move(other.blocks_);
            other.blocks_.clear();
            size_ = std::exchange(other.size_, 0);
            capacity_ = std::exchange(other.capacity_, 0);
        }
        return *this;
    }

private:
    static constexpr std::size_t kFirst = 8;          // positions in the first block
    static constexpr unsigned kGrowing = 14;          // blocks 0..13 double: 8 … 64 Ki
    static constexpr std::size_t kLast = kFirst << (kGrowing - 1);        // 64 Ki: every later block
    static constexpr std::size_t kInGrowing = kFirst * ((std::size_t{1} << kGrowing) - 1);  // 131,064

    static std::size_t block_size(std::size_t b) { return b < kGrowing ? kFirst << b : kLast; }
    std::uint32_t* slot(std::size_t i) {
        if (i < kInGrowing) {
            const auto b = static_cast<std::size_t>(std::bit_width(i / kFirst + 1) - 1);
            return blocks_[b].get() + (i - kFirst * ((std::size_t{1} << b) - 1));
        }
        const std::size_t j = i - kInGrowing;
        return blocks_[kGrowing + j / kLast].get() + j % kLast;
    }
    void grow() {
        const std::size_t n = block_size(blocks_.size());
        blocks_.push_back(std::make_unique_for_overwrite<std::uint32_t[]>(n));
        capacity_ += n;
    }

    std::vector<std::unique_ptr<std::uint32_t[]>> blocks_;  // the pointers move as this grows; the blocks never do
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

class IdIndex {
public:
    // The list of `id` (made empty if it has none yet; a list made is
    // pushed to at once, so an empty one means "not seen").
    PositionList& at(std::uint64_t id) {
        const auto seq = static_cast<std::uint32_t>(id);
        PerPid& t = tables_[static_cast<std::uint32_t>(id >> 32)];
        if (seq < t.by_seq.size()) return t.by_seq[seq];
        if (seq < 2 * t.used + kSlack) {
            t.by_seq.resize(std::size_t{seq} + 1);  // a deque: the lists already there stay put
            ++t.used;
            return t.by_seq[seq];
        }
        return far_[id];
    }
    // The list of `id`, nullptr if no event carried it.
    const PositionList* find(std::uint64_t id) const {
        const auto seq = static_cast<std::uint32_t>(id);
        if (auto it = tables_.find(static_cast<std::uint32_t>(id >> 32)); it != tables_.end() && seq < it->second.by_seq.size()) {
            const PositionList& l = it->second.by_seq[seq];
            return l.empty() ? nullptr : &l;
        }
        auto it = far_.find(id);
        return it == far_.end() ? nullptr : &it->second;
    }

private:
    static constexpr std::size_t kSlack = 4096;  // seqs a table may run ahead of the ids it holds
    struct PerPid {
        std::deque<PositionList> by_seq;  // [seq]: empty where no event carried that id
        std::size_t used = 0;             // times the table grew for an id (≈ ids held)
    };
    std::unordered_map<std::uint32_t, PerPid> tables_;  // by pid: a handful
    std::unordered_map<std::uint64_t, PositionList> far_;
};

}  // namespace minicorn::trace
