"""The API's pagination: DRF's page numbers, except that an empty `page` is refused (404, as
any page that is not a number) instead of read as page 1, as the schema says it is a number."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "":
            return ""  # the paginator refuses it: "Invalid page."
        return super().get_page_number(request, paginator)
