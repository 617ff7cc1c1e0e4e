#include "proxy/replication_delay.hpp"

namespace sqlgate::proxy {

bool held_back_for_lag(bool held_now, double lag_s, double max_lag_s) noexcept {
    if (lag_s > max_lag_s) return true;
    return held_now && lag_s > max_lag_s / 2;
}

}  // namespace sqlgate::proxy
