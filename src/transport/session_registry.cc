#include "transport/session_registry.h"

namespace lmcp::transport {

std::map<std::string, std::shared_ptr<HttpSession>>::iterator SessionRegistry::Victim(
    const std::string& principal) {
  auto best = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    const HttpSession& s = *it->second;
    if ((!principal.empty() && s.principal() != principal) || s.Busy()) {
      continue;
    }
    if (best == sessions_.end()) {
      best = it;
      continue;
    }
    const HttpSession& b = *best->second;
    // Unconfirmed before confirmed, then least recently active.
    if (s.confirmed() != b.confirmed() ? !s.confirmed() : s.LastActive() < b.LastActive()) {
      best = it;
    }
  }
  return best;
}

Result<std::vector<std::shared_ptr<HttpSession>>> SessionRegistry::Add(std::shared_ptr<HttpSession> session) {
  std::vector<std::shared_ptr<HttpSession>> evicted;
  std::lock_guard lock(mu_);
  auto evict = [&](const std::string& principal) {
    auto victim = Victim(principal);
    if (victim == sessions_.end()) {
      return false;
    }
    if (--per_principal_[victim->second->principal()] == 0) {
      per_principal_.erase(victim->second->principal());
    }
    evicted.push_back(victim->second);
    sessions_.erase(victim);
    ++evictions_;
    return true;
  };
  const std::string& principal = session->principal();
  auto mine = per_principal_.find(principal);
  if (mine != per_principal_.end() && mine->second >= limits_.max_per_principal && !evict(principal)) {
    return Error::ResourceExhausted("too many sessions for this client, and all of them are busy");
  }
  if (sessions_.size() >= limits_.max_sessions && !evict("")) {
    return Error::ResourceExhausted("too many sessions, and all of them are busy");
  }
  per_principal_[principal]++;
  sessions_[session->id()] = std::move(session);
  return evicted;
}

std::shared_ptr<HttpSession> SessionRegistry::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<HttpSession> SessionRegistry::Remove(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return nullptr;
  }
  auto session = std::move(it->second);
  sessions_.erase(it);
  if (--per_principal_[session->principal()] == 0) {
    per_principal_.erase(session->principal());
  }
  return session;
}

std::vector<std::shared_ptr<HttpSession>> SessionRegistry::TakeExpired() {
  auto now = clock_.Steady();
  std::vector<std::shared_ptr<HttpSession>> expired;
  std::lock_guard lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const HttpSession& s = *it->second;
    auto timeout = s.confirmed() ? limits_.idle_timeout : limits_.unconfirmed_timeout;
    if (now - s.LastActive() >= timeout) {
      if (--per_principal_[s.principal()] == 0) {
        per_principal_.erase(s.principal());
      }
      expired.push_back(std::move(it->second));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

std::vector<std::shared_ptr<HttpSession>> SessionRegistry::TakeAll() {
  std::vector<std::shared_ptr<HttpSession>> all;
  std::lock_guard lock(mu_);
  for (auto& [id, s] : sessions_) {
    all.push_back(std::move(s));
  }
  sessions_.clear();
  per_principal_.clear();
  return all;
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

size_t SessionRegistry::evictions() const {
  std::lock_guard lock(mu_);
  return evictions_;
}

}  // namespace lmcp::transport
