"""The customer portal of ``deskframe serve`` (``/portal``): a contact logs in, lists and opens
its tickets, reads the public correspondence, replies, reopens a resolved ticket and (as a
``customer_admin``) lists the customer's invoices. :mod:`.views` is what it shows and changes,
:mod:`.routes` the pages."""
