#pragma once

#include "multipartform.h"

#include <QString>

namespace Tasklane {

// The file of an upload route's multipart/form-data body: the form's part named "file", which
// must name a file. Throws ApiError: BadRequest for a malformed body, ValidationFailed (field
// "file", required: `howToSend` tells what to send) without the part.
const MultipartForm::Part &requireFilePart(const MultipartForm &form, const QString &howToSend);

} // namespace Tasklane
