#pragma once

#include "httpresponse.h"
#include "requestcontext.h"

namespace Tasklane {

class PhoneService;
class RouteTable;

// /api/v1/users/me/phone: the caller's number for SMS, added by confirming a code.
class PhoneController
{
public:
    explicit PhoneController(const PhoneService &phones) : m_phones(phones) { }
    void registerRoutes(RouteTable &routes) const;

private:
    HttpResponse status(const RequestContext &request) const;
    HttpResponse requestCode(const RequestContext &request) const;
    HttpResponse verify(const RequestContext &request) const;
    HttpResponse remove(const RequestContext &request) const;

    const PhoneService &m_phones;
};

} // namespace Tasklane
