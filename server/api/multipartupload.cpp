#include "multipartupload.h"

#include "apierror.h"

using namespace Qt::StringLiterals;

namespace Tasklane {

const MultipartForm::Part &requireFilePart(const MultipartForm &form, const QString &howToSend)
{
    if (!form.isValid())
        throw ApiError(ApiError::Kind::BadRequest,
                       u"The multipart body is malformed: %1"_s.arg(form.error()));
    const MultipartForm::Part *file = form.part(u"file");
    if (!file || !file->isFile())
        throw ApiError::validation({ { u"file"_s, u"required"_s, howToSend } });
    return *file;
}

} // namespace Tasklane
